/**
 * The fixtures of test/fixtures/k8s against upstream: the v3.30.0 IPAMBlock CRD (Calico
 * v3.30.0 libcalico-go/config/crd/crd.projectcalico.org_ipamblocks.yaml), what Calico records
 * in Kubernetes-datastore mode (no WorkloadEndpoint resource; the CNI plugin's pod annotations
 * and the IPAM handle k8s-pod-network.<containerID>), and the pods every operator install on
 * Kind has, which hold block addresses and so count in NET-09 and the IPAM listings.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { blocksBelowUtilisation } from '../../support/claims/network-model.ts';
import { harness, type Harness } from './helpers.ts';

const DIR = new URL('../fixtures/k8s/', import.meta.url);
const load = (file: string) => parse(readFileSync(new URL(file, DIR), 'utf8'));

// The CRD's spec.properties and spec.required for IPAMBlock at v3.30.0.
const IPAMBLOCK_PROPERTIES = [
  'affinity',
  'allocations',
  'attributes',
  'cidr',
  'deleted',
  'sequenceNumber',
  'sequenceNumberForAllocation',
  'strictAffinity',
  'unallocated',
];
const IPAMBLOCK_REQUIRED = ['allocations', 'attributes', 'cidr', 'sequenceNumber', 'strictAffinity', 'unallocated'];

describe('test/fixtures/k8s against upstream', () => {
  const pods = load('pods.yaml').items as any[];
  const blocks = load('ipamblocks.yaml').items as any[];

  it('IPAM blocks carry only what the v3.30.0 CRD keeps (no affinityClaimTime), and all it requires', () => {
    for (const block of blocks) {
      for (const key of Object.keys(block.spec))
        assert.ok(
          IPAMBLOCK_PROPERTIES.includes(key),
          `${block.metadata.name}: spec.${key} is not in the v3.30.0 CRD (the API server would prune it)`,
        );
      for (const key of IPAMBLOCK_REQUIRED) assert.ok(key in block.spec, `${block.metadata.name}: spec.${key} is required`);
    }
  });

  it('no fixture is a WorkloadEndpoint: Calico v3.30 stores none in Kubernetes-datastore mode', () => {
    for (const file of readdirSync(DIR).filter((name) => name.endsWith('.yaml'))) {
      assert.doesNotMatch(readFileSync(new URL(file, DIR), 'utf8'), /kind: WorkloadEndpoint/, file);
    }
  });

  it("every pod on the pod network carries the CNI plugin's annotations, and its handle holds that address in its node's block", () => {
    const podNetwork = pods.filter((pod) => !pod.spec.hostNetwork);
    assert.ok(podNetwork.length >= 14);
    for (const pod of podNetwork) {
      const a = pod.metadata.annotations ?? {};
      const id = `${pod.metadata.namespace}/${pod.metadata.name}`;
      assert.match(a['cni.projectcalico.org/containerID'] ?? '', /^[0-9a-f]{64}$/, id);
      assert.equal(a['cni.projectcalico.org/podIP'], `${pod.status.podIP}/32`, id);
      assert.equal(a['cni.projectcalico.org/podIPs'], `${pod.status.podIP}/32`, id);
      const block = blocks.find((b) => b.spec.affinity === `host:${pod.spec.nodeName}`);
      const index = block.spec.attributes.findIndex(
        (attr: any) => attr.handle_id === `k8s-pod-network.${a['cni.projectcalico.org/containerID']}`,
      );
      assert.ok(index >= 0, `${id}: no allocation for its handle in ${block.spec.cidr}`);
      assert.deepEqual(
        { ...block.spec.attributes[index].secondary, timestamp: undefined },
        { namespace: pod.metadata.namespace, node: pod.spec.nodeName, pod: pod.metadata.name, timestamp: undefined },
        id,
      );
      const ordinal = block.spec.allocations.indexOf(index);
      const [base] = block.spec.cidr.split('/');
      const last = Number(base.split('.').at(-1)) + ordinal;
      assert.equal(`${base.split('.').slice(0, 3).join('.')}.${last}`, pod.status.podIP, id);
      assert.ok(!block.spec.unallocated.includes(ordinal), `${id}: ordinal ${ordinal} is also listed as free`);
    }
  });
});

describe("the operator's own pods in the IPAM listings and NET-09", () => {
  let h: Harness;
  before(async () => {
    h = await harness();
  });
  after(() => h.close());

  it("count in every block's utilisation (tunnel address, csi-node-driver, calico-apiserver, local-path-provisioner, coredns)", async () => {
    const seen = await blocksBelowUtilisation(h.cluster(), 80);
    assert.equal(seen.ok, true);
    // 7, 6 and 5 of 64 addresses: without the operator's pods the listing would say 8%, 6% and 5%.
    assert.deepEqual(seen.observed.split(', ').sort(), [
      '192.168.112.192/26 (pod-routing-worker2): 8%',
      '192.168.116.0/26 (pod-routing-control-plane): 11%',
      '192.168.93.192/26 (pod-routing-worker): 9%',
    ]);
  });
});
