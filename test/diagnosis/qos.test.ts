import assert from 'node:assert/strict';
import { test } from 'node:test';
import { qosCauses, type QosPodEvidence } from '../../support/diagnosis/qos.ts';
import { parseTcFilters, parseTcQdiscs } from '../../support/parse/tc.ts';
import { fixture } from '../probes/helpers.ts';

const ANNOTATED = { 'qos.projectcalico.org/ingressBandwidth': '10M', 'qos.projectcalico.org/egressBandwidth': '10M' };
const node = parseTcQdiscs(fixture('netns-qos-tc-qdisc-node-qos.json'));
const on = (dev: string) => node.filter((qdisc) => qdisc.dev === dev);

function client(overrides: Partial<QosPodEvidence> = {}): QosPodEvidence {
  return {
    pod: 'iperf-client-qos',
    cali: 'calic7c21cb800e',
    annotations: ANNOTATED,
    qdiscs: on('calic7c21cb800e'),
    filters: parseTcFilters(fixture('netns-qos-tc-filter-ingress-mirred.json')),
    ifbQdiscs: on('bwcali39d3a4d1c'),
    ...overrides,
  };
}

test('qdiscs that match the annotations point to no cause', () => {
  assert.deepEqual(
    qosCauses([
      client(),
      { pod: 'iperf-server', cali: 'cali7f4c826eaba', annotations: {}, qdiscs: on('cali7f4c826eaba'), filters: [], ifbQdiscs: undefined },
    ]),
    [],
  );
});

test('a missing tbf, a missing redirect and a wrong rate are each named', () => {
  assert.match(qosCauses([client({ qdiscs: [] })]).join('\n'), /no root tbf: Felix did not program it/);
  assert.match(qosCauses([client({ filters: [] })]).join('\n'), /no mirred redirect to a bwcali device/);
  const fast = on('bwcali39d3a4d1c').map((qdisc) => ({ ...qdisc, rate: 10_000_000 }));
  assert.match(qosCauses([client({ ifbQdiscs: fast })]).join('\n'), /bwcali39d3a4d1c runs at 80000000 bit\/s, the annotation asks for 10M/);
});

test('a pod shaped without annotations is named', () => {
  assert.match(
    qosCauses([
      { pod: 'iperf-server', cali: 'calic7c21cb800e', annotations: {}, qdiscs: on('calic7c21cb800e'), filters: [], ifbQdiscs: undefined },
    ]).join('\n'),
    /iperf-server has no QoS annotation, yet calic7c21cb800e is shaped/,
  );
});
