import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ifbDeviceName } from '../../support/net/calico.ts';
import { parseQuantity } from '../../support/net/quantity.ts';
import {
  DEFAULT_BURST_BITS,
  QOS_IGNORED_FAULT,
  QOS_NO_REDIRECT_FAULT,
  QOS_RATE_IN_BYTES_FAULT,
  qosControlsOf,
  qosPlan,
  tbfArgs,
  tickInUsec,
  tokenBucket,
} from '../../support/lab/felix/qos.ts';

const PSCHED = '000003e8 00000040 000f4240 3b9aca00\n';
const ANNOTATED = { 'qos.projectcalico.org/ingressBandwidth': '10M', 'qos.projectcalico.org/egressBandwidth': '10M' };

describe("Felix's QoS in the lab", () => {
  it('reads Kubernetes quantities as the annotations use them, and refuses anything else', () => {
    assert.equal(parseQuantity('10M', 'x'), 10_000_000);
    assert.equal(parseQuantity('1Gi', 'x'), 2 ** 30);
    assert.equal(parseQuantity('500k', 'x'), 500_000);
    assert.throws(
      () => parseQuantity('10 Mbit', 'qos.projectcalico.org/ingressBandwidth'),
      /ingressBandwidth: "10 Mbit" is not a Kubernetes quantity/,
    );
  });

  it('gives a bandwidth without its burst the default 4 Gi bits', () => {
    assert.deepEqual(qosControlsOf(ANNOTATED), {
      ingressBandwidth: 10_000_000,
      ingressBurst: DEFAULT_BURST_BITS,
      egressBandwidth: 10_000_000,
      egressBurst: DEFAULT_BURST_BITS,
    });
    assert.deepEqual(qosControlsOf({}), {});
  });

  it("computes the token bucket as qos.go's GetTBFValues: buffer and limit capped at 2^32-1", () => {
    const tick = tickInUsec(PSCHED);
    assert.equal(tick, 15.625);
    assert.deepEqual(tokenBucket(10_000_000, DEFAULT_BURST_BITS, tick), { rate: 1_250_000, buffer: 2 ** 32 - 1, limit: 2 ** 32 - 1 });
    // A small burst is not capped: 1 Mbit at 10 Mbit/s is 100 ms = 1 562 500 ticks; limit 31 250 bytes plus that.
    assert.deepEqual(tokenBucket(10_000_000, 1_000_000, tick), { rate: 1_250_000, buffer: 1_562_500, limit: 1_593_750 });
    // tc shows this bucket as "burst 343597382b" (recorded: test/fixtures/outputs/netns-qos-tc-qdisc-node-qos.json).
    assert.equal(
      tbfArgs(tokenBucket(10_000_000, DEFAULT_BURST_BITS, tick), tick),
      'tbf rate 10000000bit burst 343597383b limit 4294967295b',
    );
  });

  it('names the IFB after the SHA-1 of the cali interface, 15 characters', () => {
    assert.equal(ifbDeviceName('calic7c21cb800e'), 'bwcali39d3a4d1c');
    assert.equal(ifbDeviceName('cali3ee7bb185a2'), 'bwcalibbffacf6c');
  });

  it('programs a tbf on cali for ingress, and an IFB with its redirect and tbf for egress', () => {
    const plan = qosPlan({ faults: [], mtu: 1450 }, { hostInterface: 'calic7c21cb800e', annotations: ANNOTATED });
    assert.deepEqual(plan.links, ['link add bwcali39d3a4d1c mtu 1450 type ifb', 'link set bwcali39d3a4d1c up']);
    assert.equal(plan.tc.length, 4);
    assert.match(plan.tc[0] ?? '', /^qdisc replace dev calic7c21cb800e root handle 1: tbf rate 10000000bit /);
    assert.equal(plan.tc[1], 'qdisc replace dev calic7c21cb800e handle ffff: ingress');
    assert.equal(
      plan.tc[2],
      'filter add dev calic7c21cb800e parent ffff: protocol all prio 1 u32 match u32 0 0 classid 1:1 action mirred egress redirect dev bwcali39d3a4d1c',
    );
    assert.match(plan.tc[3] ?? '', /^qdisc replace dev bwcali39d3a4d1c root handle 1: tbf rate 10000000bit /);
  });

  it('programs nothing for a pod without annotations, and follows its faults', () => {
    assert.deepEqual(qosPlan({ faults: [], mtu: 1450 }, { hostInterface: 'cali1', annotations: {} }), { links: [], tc: [] });
    assert.deepEqual(qosPlan({ faults: [QOS_IGNORED_FAULT], mtu: 1450 }, { hostInterface: 'cali1', annotations: ANNOTATED }), {
      links: [],
      tc: [],
    });
    const bytes = qosPlan({ faults: [QOS_RATE_IN_BYTES_FAULT], mtu: 1450 }, { hostInterface: 'cali1', annotations: ANNOTATED });
    assert.match(bytes.tc[0] ?? '', /tbf rate 80000000bit/);
    const noRedirect = qosPlan({ faults: [QOS_NO_REDIRECT_FAULT], mtu: 1450 }, { hostInterface: 'cali1', annotations: ANNOTATED });
    assert.ok(!noRedirect.tc.some((line) => line.includes('mirred') || line.includes('ingress')));
  });
});
