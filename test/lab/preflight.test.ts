import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { test } from 'node:test';
import { checkRequirements, describeMissing, hasCommand } from '../../support/lab/preflight.ts';

test('a tool is there when an executable file of its name is in a folder of PATH, or at the path given', () => {
  const dir = mkdtempSync(join(tmpdir(), 'podnet-preflight-'));
  try {
    writeFileSync(join(dir, 'tool'), '#!/bin/sh\n');
    writeFileSync(join(dir, 'not-executable'), '');
    chmodSync(join(dir, 'tool'), 0o755);
    assert.equal(hasCommand('tool', ['/nonexistent', dir].join(delimiter)), true);
    assert.equal(hasCommand('not-executable', dir), false, 'a file without the x bit is no command');
    assert.equal(hasCommand('absent', dir), false);
    assert.equal(hasCommand('tool', ''), false, 'an empty PATH finds nothing');
    assert.equal(hasCommand(join(dir, 'tool')), true, 'a path is checked as given');
    assert.equal(hasCommand(dir), false, 'a folder is no command');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('with a PATH that lacks the lab tools, the preflight names each with its Debian package', () => {
  const missing = describeMissing(checkRequirements('/nonexistent'));
  assert.match(missing, /missing: ip \(iproute2\)\n\s+→ install it: apt-get install -y iproute2/);
  assert.match(missing, /missing: dig \(bind9-dnsutils, the DNS probe\)/);
});
