import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseIfbDevices, parseTcFilters, parseTcQdiscs } from '../../support/parse/tc.ts';
import { parseIperfClientJson, parseIperfServerText } from '../../support/parse/iperf3.ts';
import { assertParseError, fixture } from './helpers.ts';

describe('parseTcQdiscs on a lab node with two QoS pods', () => {
  const qdiscs = parseTcQdiscs(fixture('netns-qos-tc-qdisc-node-qos.json'));

  it('reads each tbf with its rate in bytes/s and its burst', () => {
    const tbfs = qdiscs.filter((qdisc) => qdisc.kind === 'tbf');
    assert.equal(tbfs.length, 4);
    for (const tbf of tbfs) {
      assert.equal(tbf.rate, 1_250_000);
      assert.equal(tbf.burst, 343_597_382);
      assert.equal(tbf.handle, '1:');
      assert.equal(tbf.root, true);
    }
  });

  it('reads the ingress qdiscs ffff: and the noqueue roots', () => {
    const ingress = qdiscs.filter((qdisc) => qdisc.kind === 'ingress');
    assert.equal(ingress.length, 2);
    assert.ok(ingress.every((qdisc) => qdisc.handle === 'ffff:' && qdisc.parent === 'ffff:fff1' && !qdisc.root));
    assert.ok(qdiscs.some((qdisc) => qdisc.kind === 'noqueue' && qdisc.dev === 'cali7f4c826eaba' && qdisc.root));
  });

  it('reads the counters of -s', () => {
    const [tbf] = parseTcQdiscs(fixture('netns-qos-tc-s-qdisc-bwcali.json'));
    assert.deepEqual(tbf?.stats, { bytes: 461_310_620, packets: 315_550, drops: 0, overlimits: 791, backlog: 0, qlen: 0 });
  });

  it('refuses a key it does not know, naming it', () => {
    assertParseError(
      () => parseTcQdiscs('[{"kind":"tbf","handle":"1:","root":true,"options":{"rate":1,"burst":2,"lat":3},"offload":true}]'),
      /offload/,
    );
    assertParseError(() => parseTcQdiscs('[{"kind":"tbf","handle":"1:","options":{"rate":1,"burst":2,"ceil":3}}]'), /ceil/);
    assertParseError(() => parseTcQdiscs('[{"kind":"tbf","handle":"1:","options":{"burst":2}}]'), /rate/);
  });
});

describe('parseTcFilters', () => {
  it('reads the u32 match-all entry and its mirred redirect to the IFB', () => {
    const filters = parseTcFilters(fixture('netns-qos-tc-filter-ingress-mirred.json'));
    assert.equal(filters.length, 3);
    const entry = filters.find((filter) => filter.handle === '800::800');
    assert.deepEqual(entry?.match, { value: '0', mask: '0' });
    assert.equal(entry?.protocol, 'all');
    assert.equal(entry?.flowid, '1:1');
    assert.deepEqual(entry?.mirred, [{ action: 'redirect', direction: 'egress', toDev: 'bwcali39d3a4d1c' }]);
  });

  it('reads an interface without filters as none', () => {
    assert.deepEqual(parseTcFilters(fixture('netns-qos-tc-filter-ingress-none.json')), []);
  });

  it('refuses a filter key it does not know', () => {
    assertParseError(() => parseTcFilters('[{"parent":"ffff:","protocol":"all","pref":1,"kind":"u32","chain":0,"block":3}]'), /block/);
  });
});

describe('parseIfbDevices', () => {
  it('reads the bwcali devices, UP, with the pool MTU', () => {
    const devices = parseIfbDevices(fixture('netns-qos-ip-link-ifb.json'));
    assert.deepEqual(
      devices.map((device) => [device.name, device.mtu, device.flags.includes('UP')]),
      [
        ['bwcalibbffacf6c', 1450, true],
        ['bwcali39d3a4d1c', 1450, true],
      ],
    );
  });
});

describe('parseIperfClientJson', () => {
  it('reads where a client connected by the Service name, and the receiver intervals from the server text', () => {
    const report = parseIperfClientJson(fixture('netns-qos-iperf3-client-shaped.json'));
    assert.deepEqual(report.connectingTo, { host: 'iperf-server-qos', port: 5201 });
    assert.deepEqual(report.connected, { remoteHost: '10.96.50.19', remotePort: 5201 });
    assert.equal(report.error, undefined);
    assert.deepEqual(
      report.receiverIntervals.map((interval) => [interval.start, interval.end, Math.round(interval.bitsPerSecond / 1e4) / 100]),
      [
        [0, 1, 252],
        [1, 2.01, 9.65],
        [2.01, 3, 9.53],
        [3, 3.04, 8.86],
      ],
    );
    assert.equal(report.receiverIntervals[1]?.bytes, Math.round(1.16 * 1024 ** 2));
  });

  it('reads the baseline total at the receiver', () => {
    const report = parseIperfClientJson(fixture('netns-qos-iperf3-client-baseline.json'));
    assert.ok((report.received?.bitsPerSecond ?? 0) > 100e6);
    assert.ok(report.receiverIntervals.length >= 1);
  });

  it("reads iperf3's own error as the test's outcome, not as a parse failure", () => {
    const report = parseIperfClientJson(fixture('netns-qos-iperf3-client-refused.json'));
    assert.equal(report.error, 'unable to connect to server: Connection refused');
    assert.equal(report.connected, undefined);
  });

  it('refuses a report without the server output, and a server line it does not know, naming the line', () => {
    assertParseError(() => parseIperfClientJson('{"start":{"connected":[]},"intervals":[],"end":{}}'), /--get-server-output/);
    assertParseError(() => parseIperfServerText('Server listening on 5201\niperf3: error - the server is busy'), /line 2/);
  });
});
