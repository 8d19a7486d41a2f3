import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bgpCauses, formatBgpPicture, type BgpPicture } from '../../support/diagnosis/bgp.ts';
import { calicoBgpObjectsFrom } from '../../support/net/calico-bgp.ts';
import { parseBirdProtocols } from '../../support/parse/bird.ts';
import { parseFrrBgpSummary } from '../../support/parse/frr.ts';
import { fixture } from '../probes/helpers.ts';

const objects = calicoBgpObjectsFrom([
  'kind: IPPool\nmetadata: {name: default-ipv4-ippool}\nspec: {cidr: 192.168.0.0/16, disableBGPExport: true}\n',
]);
const node = { name: 'worker2', role: 'worker' as const, internalIP: '10.10.10.12', ready: true };

describe('the BGP diagnosis', () => {
  it("names a wrong AS from BIRD's last error, and a router with no neighbour", () => {
    const picture: BgpPicture = {
      objects,
      nodes: [{ node, sessions: parseBirdProtocols(fixture('bird-show-protocols-bad-as.txt')).filter((p) => p.proto === 'BGP') }],
      router: { peers: [], advertised: new Map() },
      blocks: ['192.168.1.0/26'],
    };
    const causes = bgpCauses(picture);
    assert.ok(causes.some((cause) => /Bad peer AS.*the BGPPeer's asNumber is not the router's AS/.test(cause)));
    assert.ok(causes.some((cause) => /no BGP neighbour at all/.test(cause)));
    assert.match(formatBgpPicture(picture), /worker2 \(10\.10\.10\.12.*Node_10_10_10_1 start Idle BGP Error: Bad peer AS/);
  });

  it('names pod blocks advertised from a pool whose export is disabled', () => {
    const peers = parseFrrBgpSummary(fixture('frr-bgp-summary.json')).peers;
    const picture: BgpPicture = {
      objects,
      nodes: [],
      router: { peers, advertised: new Map([['10.10.10.11', ['192.168.1.0/26', '172.16.0.240/28']]]) },
      blocks: ['192.168.1.0/26'],
    };
    assert.deepEqual(bgpCauses(picture), [
      '10.10.10.11 advertises pod blocks (192.168.1.0/26) although every pod pool has disableBGPExport',
    ]);
    assert.match(formatBgpPicture(picture), /10\.10\.10\.11 AS65010 Established, PfxRcd 2: 192\.168\.1\.0\/26, 172\.16\.0\.240\/28/);
  });
});
