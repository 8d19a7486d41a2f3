import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseWgDump, parseWgPublicKey, parseWgShow, parseWgTransfer } from '../../support/parse/wg.ts';
import { parseIpRules } from '../../support/parse/ip-rule.ts';
import { hexBytes, parseTcpdumpDump } from '../../support/parse/tcpdump-ascii.ts';
import { ParseError } from '../../support/parse/errors.ts';
import { fixture } from './helpers.ts';

test("wg show as wireguard-go and wireguard-tools print it: the interface, its mark, one peer's handshake and transfer", () => {
  const [wg] = parseWgShow(fixture('netns-wg-show.txt'));
  assert.equal(wg?.name, 'wireguard.cali');
  assert.equal(wg?.publicKey, 'VLWgtWUJC2FPBz/6pPGP5n0Z1EN2R2UabusvOIdCM0I=');
  assert.equal(wg?.listeningPort, 51820);
  assert.equal(wg?.fwmark, 0x100000);
  assert.deepEqual(wg?.peers, [
    {
      publicKey: 'RMCJQpHSQJcK0uzLNmd7qVkgsTCsAuKnkXzIT4UOlD4=',
      endpoint: '10.99.0.2:51820',
      allowedIps: ['10.98.2.0/24'],
      latestHandshakeSecondsAgo: 6,
      rxBytes: 604,
      txBytes: 660,
      persistentKeepalive: undefined,
      hasPresharedKey: false,
    },
  ]);
});

test("the course's wg show: two peers, MiB amounts, a peer with no handshake yet", () => {
  const [wg] = parseWgShow(fixture('course-13-wg-show.txt'));
  assert.equal(wg?.fwmark, 0x200000);
  assert.equal(wg?.peers.length, 2);
  assert.deepEqual(wg?.peers[0]?.allowedIps, ['192.168.58.192/26', '192.168.58.192/32', '192.168.58.201/32']);
  assert.equal(wg?.peers[0]?.rxBytes, Math.round(8.11 * 1024 * 1024));
  assert.equal(wg?.peers[0]?.latestHandshakeSecondsAgo, 34);
  assert.equal(wg?.peers[1]?.latestHandshakeSecondsAgo, undefined);
  assert.equal(wg?.peers[1]?.rxBytes, 0);
});

test('wg show: spans of time, no output, and lines it does not know', () => {
  const peer = (handshake: string) =>
    `interface: wg0\n  public key: VLWgtWUJC2FPBz/6pPGP5n0Z1EN2R2UabusvOIdCM0I=\n\npeer: RMCJQpHSQJcK0uzLNmd7qVkgsTCsAuKnkXzIT4UOlD4=\n  latest handshake: ${handshake}\n`;
  assert.equal(parseWgShow(peer('1 minute, 3 seconds ago'))[0]?.peers[0]?.latestHandshakeSecondsAgo, 63);
  assert.equal(parseWgShow(peer('Now'))[0]?.peers[0]?.latestHandshakeSecondsAgo, 0);
  assert.deepEqual(parseWgShow(''), []);
  assert.throws(() => parseWgShow(peer('a while ago')), /"a while" is not a span of time/);
  assert.throws(
    () => parseWgShow('interface: wg0\n  colour: blue\n'),
    (error: unknown) => error instanceof ParseError && /line 2/.test(error.message),
  );
  assert.throws(() => parseWgShow('peer: RMCJQpHSQJcK0uzLNmd7qVkgsTCsAuKnkXzIT4UOlD4=\n'), /a peer before any interface/);
  assert.throws(() => parseWgShow('interface: wg0\n  public key: not-a-key\n'), /is not a WireGuard key/);
});

test('wg show all dump: exact counters and the handshake as an epoch; a short line is named', () => {
  const [wg] = parseWgDump(fixture('netns-wg-show-all-dump.txt'));
  assert.equal(wg?.name, 'wireguard.cali');
  assert.equal(wg?.publicKey, 'VLWgtWUJC2FPBz/6pPGP5n0Z1EN2R2UabusvOIdCM0I=');
  assert.equal(wg?.fwmark, 0x100000);
  assert.equal(wg?.peers[0]?.endpoint, '10.99.0.2:51820');
  assert.equal(wg?.peers[0]?.rxBytes, 604);
  assert.equal(wg?.peers[0]?.txBytes, 660);
  assert.ok((wg?.peers[0]?.latestHandshakeSecondsAgo ?? -1) >= 0);
  assert.throws(() => parseWgDump('wireguard.cali\tkey\n'), /2 tab-separated fields/);
  assert.throws(
    () => parseWgDump('wg0\tRMCJQpHSQJcK0uzLNmd7qVkgsTCsAuKnkXzIT4UOlD4=\t(none)\t1.2.3.4:1\t10.0.0.0/8\t0\t0\t0\toff\n'),
    /before its interface line/,
  );
});

test('wg show <iface> transfer and public-key', () => {
  assert.deepEqual(parseWgTransfer(fixture('netns-wg-show-transfer.txt')), [
    { publicKey: 'RMCJQpHSQJcK0uzLNmd7qVkgsTCsAuKnkXzIT4UOlD4=', rxBytes: 604, txBytes: 660 },
  ]);
  assert.equal(parseWgPublicKey(fixture('netns-wg-show-public-key.txt')), 'VLWgtWUJC2FPBz/6pPGP5n0Z1EN2R2UabusvOIdCM0I=');
  assert.throws(() => parseWgTransfer('key 1 2\n'), ParseError);
  assert.throws(() => parseWgPublicKey(''), /0 lines/);
});

test("ip rule: the course's WireGuard rule, and a selector the parser does not know", () => {
  const rules = parseIpRules(fixture('course-13-ip-rule.txt'));
  assert.deepEqual(
    rules.map((rule) => [rule.priority, rule.not, rule.fwmark, rule.table]),
    [
      [0, false, undefined, 'local'],
      [99, true, '0x200000/0x200000', '1'],
      [32766, false, undefined, 'main'],
    ],
  );
  assert.throws(() => parseIpRules('100:\tfrom all iif eth0 lookup 5\n'), /line 1/);
});

test('tcpdump -A and -x: summaries, payload lines, the bytes of a packet', () => {
  const text = [
    '10:39:23.283011 IP 172.18.0.3.51820 > 172.18.0.4.51820: UDP, length 4',
    '\t0x0000:  4500 0020 0000 4000 4011 0000 ac12 0003',
    '\t0x0010:  ac12 0004 ca6c ca6c 000c 0000 0400 0000',
    '10:39:23.290476 IP 192.168.1.2.40000 > 192.168.2.3.8080: Flags [P.], seq 1:10, ack 1, win 502, length 9',
    'GET /api/users HTTP/1.1',
    '10:39:23.290480 ARP, Request who-has 172.18.0.1 tell 172.18.0.3, length 28',
  ].join('\n');
  const packets = parseTcpdumpDump(text);
  assert.deepEqual(
    packets.map((packet) => [packet.protocol, packet.src, packet.srcPort, packet.dstPort]),
    [
      ['udp', '172.18.0.3', 51820, 51820],
      ['tcp', '192.168.1.2', 40000, 8080],
      ['arp', undefined, undefined, undefined],
    ],
  );
  assert.equal(hexBytes(packets[0] as (typeof packets)[number]).readUInt32BE(28), 0x04000000);
  assert.throws(() => parseTcpdumpDump('10:39:23.283011 STP 802.1d, Config\n'), /neither IP, IP6 nor ARP/);
  assert.throws(() => parseTcpdumpDump('payload\n'), /payload before any packet/);
});
