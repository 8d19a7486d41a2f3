import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EnvironmentError } from '../support/domain.ts';
import { formatExec, formatVerdict, verdictMessage } from '../support/evidence.ts';
import { clearRegisteredSecrets, registerSecret } from '../support/redact.ts';

test('evidence shows where, what and what came back', () => {
  const text = formatExec({
    where: 'pod default/x',
    argv: ['ping', '-c', '1', '10.0.0.1'],
    exitCode: 1,
    stdout: 'PING 10.0.0.1\n',
    stderr: 'no reply\n',
    ms: 7,
    timedOut: false,
  });
  assert.match(
    text,
    /where: {3}pod default\/x\ncommand: ping -c 1 10\.0\.0\.1\nresult: {2}exit 1 in 7 ms\n--- stdout\nPING 10\.0\.0\.1\n--- stderr\nno reply/,
  );
});

test('credentials a command printed never reach an attachment, a verdict or an error', () => {
  registerSecret('s3cr3t-service-account-token');
  try {
    const leaked = 'token: s3cr3t-service-account-token';
    assert.doesNotMatch(
      formatExec({
        where: 'node n',
        argv: ['cat', '/etc/cni/net.d/calico-kubeconfig'],
        exitCode: 0,
        stdout: leaked,
        stderr: '',
        ms: 1,
        timedOut: false,
      }),
      /s3cr3t/,
    );
    const verdict = { ok: false, expected: 'x', observed: leaked, evidence: [] };
    assert.doesNotMatch(verdictMessage(verdict), /s3cr3t/);
    assert.doesNotMatch(formatVerdict(verdict), /s3cr3t/);
    assert.doesNotMatch(new EnvironmentError(`failed: ${leaked}`).message, /s3cr3t/);
    assert.doesNotMatch(
      formatExec({
        where: 'n',
        argv: ['curl', '-H', 'Authorization: Bearer abcdefghijklmnop'],
        exitCode: 0,
        stdout: '',
        stderr: '',
        ms: 1,
        timedOut: false,
      }),
      /abcdefghijklmnop/,
    );
  } finally {
    clearRegisteredSecrets();
  }
});
