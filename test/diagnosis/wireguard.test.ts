import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BlockAffinity, NodeInfo } from '../../support/domain.ts';
import { wireguardCauses, type WireguardView } from '../../support/diagnosis/wireguard.ts';
import { parseIpRules } from '../../support/parse/ip-rule.ts';
import type { WgInterface } from '../../support/parse/wg.ts';

const KEY_A = 'VLWgtWUJC2FPBz/6pPGP5n0Z1EN2R2UabusvOIdCM0I=';
const KEY_B = 'RMCJQpHSQJcK0uzLNmd7qVkgsTCsAuKnkXzIT4UOlD4=';
const STALE = 'kL1i4yhpmHCOb2f6pBOzhFXbpG4HCgThGpoz0NQGlEg=';

const node = (name: string, key: string): NodeInfo => ({
  name,
  role: 'worker',
  internalIP: '172.18.0.3',
  ready: true,
  calico: { wireguardPublicKey: key },
});
const affinity = (name: string, cidr: string): BlockAffinity => ({
  name,
  node: name,
  cidr,
  state: 'confirmed',
  deleted: 'false',
  type: 'host',
});
const wg = (publicKey: string, peerKey: string, allowed: string[]): WgInterface => ({
  name: 'wireguard.cali',
  publicKey,
  listeningPort: 51820,
  fwmark: 0x200000,
  peers: [
    {
      publicKey: peerKey,
      endpoint: undefined,
      allowedIps: allowed,
      latestHandshakeSecondsAgo: undefined,
      rxBytes: 0,
      txBytes: 0,
      persistentKeepalive: undefined,
      hasPresharedKey: false,
    },
  ],
});
const RULE = parseIpRules('99:\tnot from all fwmark 0x200000/0x200000 lookup 1\n');
const affinities = [affinity('a', '192.168.1.0/26'), affinity('b', '192.168.2.0/26')];
const mtus = new Map([
  ['a', { device: 1440, eth0: 1500 }],
  ['b', { device: 1440, eth0: 1500 }],
]);

test('a healthy pair of nodes gives no cause', () => {
  const views: WireguardView[] = [
    { node: node('a', KEY_A), wg: wg(KEY_A, KEY_B, ['192.168.2.0/26']), rules: RULE, table: '' },
    { node: node('b', KEY_B), wg: wg(KEY_B, KEY_A, ['192.168.1.0/26']), rules: RULE, table: '' },
  ];
  assert.deepEqual(wireguardCauses(views, affinities, mtus), []);
});

test('a stale key, a missing block, no mark rule and the TUN MTU are each named', () => {
  const views: WireguardView[] = [
    { node: node('a', KEY_A), wg: wg(KEY_A, STALE, ['192.168.2.0/26']), rules: [], table: '' },
    { node: node('b', KEY_B), wg: wg(KEY_B, KEY_A, []), rules: RULE, table: '' },
  ];
  const causes = wireguardCauses(views, affinities, new Map([['b', { device: 1420, eth0: 1500 }]])).join('\n');
  assert.match(causes, /node a has no peer with b's published key/);
  assert.match(causes, /node a has no "not fwmark 0x200000/);
  assert.match(causes, /node b's peer a does not allow 192\.168\.1\.0\/26/);
  assert.match(causes, /MTU 1420, not eth0's 1500 less 60/);
  assert.match(
    wireguardCauses([{ node: node('a', KEY_A), wg: undefined, rules: [], table: '' }], affinities, mtus).join(),
    /no wireguard\.cali/,
  );
});
