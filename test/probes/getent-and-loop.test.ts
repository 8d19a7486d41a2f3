import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConnectionLoop } from '../../support/parse/connection-loop.ts';
import { parseGetentHosts } from '../../support/parse/getent.ts';
import { assertParseError, fixture } from './helpers.ts';

test("getent hosts: a headless Service's pods, a ClusterIP, and nothing for a name that does not resolve", () => {
  assert.deepEqual(parseGetentHosts(fixture('netns-getent-hosts-headless.txt')), ['192.168.163.68', '192.168.108.133', '192.168.151.135']);
  assert.deepEqual(parseGetentHosts(fixture('netns-getent-hosts-service.txt')), ['10.96.79.157']);
  assert.deepEqual(parseGetentHosts('::1             localhost ip6-localhost ip6-loopback\n'), ['::1']);
  assert.deepEqual(parseGetentHosts(''), []);
});

test('getent hosts: a first word that is not an address, or a line without a name, is refused', () => {
  assertParseError(() => parseGetentHosts('getent: unknown database\n'), /line 1/);
  assertParseError(() => parseGetentHosts('10.96.79.157\n'), /line 1/);
});

test('the connection loop: every success counted, and the failure that stopped it', () => {
  assert.deepEqual(parseConnectionLoop(fixture('netns-connection-loop-ok.txt')), { succeeded: 3, failed: 0 });
  assert.deepEqual(parseConnectionLoop(fixture('netns-connection-loop-refused.txt')), { succeeded: 0, failed: 1 });
  assert.deepEqual(parseConnectionLoop('ok\nok\nfailed\n'), { succeeded: 2, failed: 1 });
});

test('the connection loop: a line it does not print, or one after the failure, is refused', () => {
  assertParseError(() => parseConnectionLoop('ok\nsh: nc: not found\n'), /line 2/);
  assertParseError(() => parseConnectionLoop('failed\nok\n'), /line 2/);
});
