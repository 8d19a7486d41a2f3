/**
 * The kind target reads every object type the port exposes from API responses shaped like a
 * Kind + Calico cluster's (test/fixtures/k8s), through the real client over HTTP.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addressAt, cidrContains } from '../../support/cluster/kind/calico.ts';
import { caliInterfaceName } from '../../support/net/calico.ts';
import { EnvironmentError } from '../../support/domain.ts';
import { harness, type Harness } from './helpers.ts';

describe('kind target: nodes and pods', () => {
  let h: Harness;
  before(async () => {
    h = await harness();
  });
  after(() => h.close());

  it('reads the three nodes with their role, InternalIP and readiness', async () => {
    const nodes = await h.cluster().nodes();
    assert.deepEqual(nodes.map((n) => [n.name, n.role, n.internalIP, n.ready]).sort(), [
      ['pod-routing-control-plane', 'control-plane', '172.18.0.4', true],
      ['pod-routing-worker', 'worker', '172.18.0.2', true],
      ['pod-routing-worker2', 'worker', '172.18.0.3', true],
    ]);
  });

  it('reports a node whose Ready condition is not True as not ready', async () => {
    const node = h.fake.get('v1', 'nodes', undefined, 'pod-routing-worker2')!;
    const ready = node.status.conditions.find((c: { type: string }) => c.type === 'Ready');
    ready.status = 'Unknown';
    try {
      const nodes = await h.cluster().nodes();
      assert.equal(nodes.find((n) => n.name === 'pod-routing-worker2')?.ready, false);
      assert.equal(nodes.find((n) => n.name === 'pod-routing-worker')?.ready, true);
    } finally {
      ready.status = 'True';
    }
  });

  it('reads the DaemonSet pods with their workload, node, IP and container readiness', async () => {
    const pods = await h.cluster().pods({ namespace: 'default', workload: 'multitool-1' });
    assert.deepEqual(
      pods.map((p) => [p.name, p.node, p.ip, p.phase, p.containers.map((c) => `${c.name}:${c.ready}`).join(), p.owner?.kind]).sort(),
      [
        ['multitool-1-7ltxg', 'pod-routing-worker2', '192.168.112.197', 'Running', 'multitool:true', 'DaemonSet'],
        ['multitool-1-cn99j', 'pod-routing-control-plane', '192.168.116.3', 'Running', 'multitool:true', 'DaemonSet'],
        ['multitool-1-vmn9d', 'pod-routing-worker', '192.168.93.201', 'Running', 'multitool:true', 'DaemonSet'],
      ],
    );
    assert.ok(pods.every((p) => p.labels.app === 'multitool-1' && !p.hostNetwork));
  });

  it('names the workload of ReplicaSet pods after the Deployment and of static pods after themselves', async () => {
    const pods = await h.cluster().pods();
    const byName = new Map(pods.map((p) => [p.name, p]));
    assert.equal(byName.get('coredns-5dd5756b68-8xq2k')?.workload, 'coredns');
    assert.equal(byName.get('calico-kube-controllers-6b9f4c7d8b-q7mzx')?.workload, 'calico-kube-controllers');
    const etcd = byName.get('etcd-pod-routing-control-plane');
    assert.equal(etcd?.workload, 'etcd-pod-routing-control-plane');
    assert.equal(etcd?.hostNetwork, true);
    assert.equal(etcd?.ip, '172.18.0.4');
    assert.equal(pods.filter((p) => p.workload === 'kube-proxy').length, 3);
    // What every operator install on Kind has (tigera/operator v1.38.0 render code, Kind's node image).
    assert.equal(pods.filter((p) => p.workload === 'csi-node-driver').length, 3, 'csi-node-driver on every node');
    assert.ok(
      pods.filter((p) => p.workload === 'csi-node-driver').every((p) => !p.hostNetwork),
      'on the pod network: it holds block addresses',
    );
    assert.equal(pods.filter((p) => p.workload === 'calico-apiserver').length, 2);
    assert.equal(byName.get('local-path-provisioner-6f8956fb48-hxl7b')?.workload, 'local-path-provisioner');
    assert.equal(byName.get('calico-typha-5b9c4d7f8b-wq2lz')?.hostNetwork, true);
    assert.equal(byName.get('tigera-operator-7d68577dc5-8gm2n')?.hostNetwork, true);
    for (const component of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'])
      assert.equal(byName.get(`${component}-pod-routing-control-plane`)?.hostNetwork, true);
    assert.equal(pods.length, 27);
  });

  it('reads the kube-dns Service IP, and says so when there is none', async () => {
    assert.equal(await h.cluster().dnsServiceIP(), '10.96.0.10');
    const svc = h.fake.get('v1', 'services', 'kube-system', 'kube-dns')!;
    h.fake.remove('v1', 'services', 'kube-system', 'kube-dns');
    try {
      await assert.rejects(h.cluster().dnsServiceIP(), (err: Error) => err instanceof EnvironmentError && /kube-dns/.test(err.message));
    } finally {
      h.fake.put(svc);
    }
  });
});

describe('kind target: Calico objects', () => {
  let h: Harness;
  before(async () => {
    h = await harness();
  });
  after(() => h.close());

  it('reads the IP pool: CIDR, block size, VXLANCrossSubnet, natOutgoing', async () => {
    const pools = (await h.cluster({ mtuFromNodeFile: false }).ipPools()).map(({ resource: _, ...pool }) => pool);
    assert.deepEqual(pools, [
      {
        name: 'default-ipv4-ippool',
        cidr: '192.168.0.0/16',
        blockSize: 26,
        encapsulation: 'VXLANCrossSubnet',
        natOutgoing: true,
        nodeSelector: 'all()',
        allowedUses: ['Workload', 'Tunnel'],
        disableBGPExport: false,
        mtu: undefined,
      },
    ]);
  });

  it('maps every vxlanMode/ipipMode to the encapsulation, and defaults blockSize to 26', async () => {
    const pool = h.fake.get('crd.projectcalico.org/v1', 'ippools', undefined, 'default-ipv4-ippool')!;
    const saved = structuredClone(pool.spec);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ vxlanMode: 'Always', ipipMode: 'Never' }, 'VXLAN'],
      [{ vxlanMode: 'Never', ipipMode: 'Always' }, 'IPIP'],
      [{ vxlanMode: 'Never', ipipMode: 'CrossSubnet' }, 'IPIPCrossSubnet'],
      [{ vxlanMode: 'Never', ipipMode: 'Never' }, 'None'],
      [{}, 'None'],
    ];
    try {
      for (const [modes, expected] of cases) {
        pool.spec = { cidr: '192.168.0.0/16', natOutgoing: false, ...modes };
        const [p] = await h.cluster({ mtuFromNodeFile: false }).ipPools();
        assert.equal(p?.encapsulation, expected, JSON.stringify(modes));
        assert.equal(p?.blockSize, 26);
        assert.equal(p?.natOutgoing, false);
      }
    } finally {
      pool.spec = saved;
    }
  });

  it('takes the MTU from calico-config veth_mtu, else the Installation, else the node file', async () => {
    h.fake.put({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'calico-config', namespace: 'kube-system' },
      data: { veth_mtu: '1440' },
    });
    assert.equal((await h.cluster().ipPools())[0]?.mtu, 1440);

    // veth_mtu "0" means auto-detect: fall through to the Installation.
    h.fake.put({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'calico-config', namespace: 'kube-system' },
      data: { veth_mtu: '0' },
    });
    h.fake.put({
      apiVersion: 'operator.tigera.io/v1',
      kind: 'Installation',
      metadata: { name: 'default' },
      spec: { calicoNetwork: { mtu: 1410 } },
    });
    assert.equal((await h.cluster().ipPools())[0]?.mtu, 1410);

    h.fake.remove('operator.tigera.io/v1', 'installations', undefined, 'default');
    h.fake.remove('v1', 'configmaps', 'kube-system', 'calico-config');
    assert.equal((await h.cluster({ mtuFromNodeFile: false }).ipPools())[0]?.mtu, undefined);
  });

  it('reads IPAM blocks: CIDR, affine node, and each allocation as address and holder', async () => {
    const blocks = await h.cluster().ipamBlocks();
    const worker = blocks.find((b) => b.node === 'pod-routing-worker');
    assert.equal(worker?.cidr, '192.168.93.192/26');
    assert.deepEqual(worker?.allocations[0]?.attributes, {
      handle_id: 'vxlan-tunnel-addr-pod-routing-worker',
      node: 'pod-routing-worker',
      type: 'vxlanTunnelAddress',
    });
    assert.deepEqual(
      worker?.allocations.map(({ ip, holder }) => ({ ip, holder })),
      [
        { ip: '192.168.93.192', holder: 'vxlan-tunnel-addr:pod-routing-worker' },
        { ip: '192.168.93.193', holder: 'calico-system/calico-kube-controllers-6b9f4c7d8b-q7mzx' },
        { ip: '192.168.93.201', holder: 'default/multitool-1-vmn9d' },
        { ip: '192.168.93.202', holder: 'default/multitool-2-mf8vt' },
        { ip: '192.168.93.203', holder: 'calico-system/csi-node-driver-m8w4p' },
        { ip: '192.168.93.204', holder: 'calico-apiserver/calico-apiserver-7c9d5b8f6d-2vqlx' },
      ],
    );
    // Calico's own record of each allocation: the handle and the attributes its IPAM stores.
    const vmn9d = worker?.allocations.find((a) => a.ip === '192.168.93.201');
    assert.match(vmn9d?.handle ?? '', /^k8s-pod-network\.[0-9a-f]{64}$/);
    // The attributes keep handle_id beside the secondary ones, as the IPAM block stores them.
    assert.deepEqual(
      { ...vmn9d?.attributes, timestamp: undefined },
      { handle_id: vmn9d?.handle, namespace: 'default', node: 'pod-routing-worker', pod: 'multitool-1-vmn9d', timestamp: undefined },
    );
    assert.deepEqual(worker?.allocations[0]?.attributes, {
      handle_id: worker?.allocations[0]?.handle,
      node: 'pod-routing-worker',
      type: 'vxlanTunnelAddress',
    });
    assert.deepEqual(blocks.map((b) => [b.node, b.cidr, b.allocations.length]).sort(), [
      ['pod-routing-control-plane', '192.168.116.0/26', 7],
      ['pod-routing-worker', '192.168.93.192/26', 6],
      ['pod-routing-worker2', '192.168.112.192/26', 5],
    ]);
    // Every pod IP the API reports is allocated, in its own node's block, to that pod.
    const pods = (await h.cluster().pods()).filter((p) => !p.hostNetwork);
    for (const p of pods) {
      const block = blocks.find((b) => b.allocations.some((a) => a.ip === p.ip));
      assert.equal(block?.node, p.node, `${p.name} ${p.ip}`);
      assert.equal(block?.allocations.find((a) => a.ip === p.ip)?.holder, `${p.namespace}/${p.name}`);
    }
  });

  // Calico v3.30 has no WorkloadEndpoint CRD and its API server serves none: the record is the
  // CNI plugin's pod annotations plus the IPAM allocation of handle k8s-pod-network.<containerID>.
  it("reads Calico's records of each endpoint: the pod annotations and the IPAM allocation of its handle, never a naming rule", async () => {
    const weps = await h.cluster().workloadEndpoints();
    const podNetwork = (await h.cluster().pods()).filter((p) => !p.hostNetwork);
    assert.equal(weps.length, podNetwork.length, 'one per pod on the pod network, csi-node-driver and calico-apiserver included');
    const vmn9d = weps.find((w) => w.pod === 'multitool-1-vmn9d');
    assert.deepEqual(vmn9d, {
      namespace: 'default',
      pod: 'multitool-1-vmn9d',
      containerID: vmn9d?.containerID,
      ipNetworks: ['192.168.93.201/32'],
      node: 'pod-routing-worker',
      allocation: { handle: `k8s-pod-network.${vmn9d?.containerID}`, ip: '192.168.93.201', node: 'pod-routing-worker' },
      interfaceName: undefined,
      source: "Calico's pod annotations and IPAM allocations",
    });
    assert.match(vmn9d?.containerID ?? '', /^aa05e11ab27159[0-9a-f]{50}$/);
    for (const w of weps) assert.ok(w.allocation, `${w.namespace}/${w.pod} has an IPAM allocation for its handle`);
    assert.ok(!h.fake.requests.some((r) => r.path.includes('workloadendpoints')), 'asks for no WorkloadEndpoint resource: there is none');
  });

  it('a pod whose recorded IP its IPAM allocation does not hold shows the disagreement (no rebuilt endpoint hides it)', async () => {
    const stale = await harness();
    try {
      const pod = stale.fake.get('v1', 'pods', 'default', 'multitool-1-vmn9d')!;
      stale.fake.put({
        ...pod,
        metadata: { ...pod.metadata, annotations: { ...pod.metadata.annotations, 'cni.projectcalico.org/containerID': 'f'.repeat(64) } },
      });
      const wep = (await stale.cluster().workloadEndpoints()).find((w) => w.pod === 'multitool-1-vmn9d');
      assert.equal(wep?.allocation, undefined);
      assert.equal(wep?.node, undefined);
      assert.deepEqual(wep?.ipNetworks, ['192.168.93.201/32']);
    } finally {
      await stale.close();
    }
  });

  it('uses calicoctl get workloadendpoints where calicoctl is there, with the interface it computes', async () => {
    const calls: string[][] = [];
    const calicoctl = async (args: string[]) => {
      calls.push(args);
      // A projectcalico.org/v3 WorkloadEndpointList as calicoctl prints it (libcalico-go api v3 WorkloadEndpointSpec fields).
      return {
        exitCode: 0,
        stderr: '',
        stdout: JSON.stringify({
          kind: 'WorkloadEndpointList',
          apiVersion: 'projectcalico.org/v3',
          items: [
            {
              kind: 'WorkloadEndpoint',
              apiVersion: 'projectcalico.org/v3',
              metadata: { name: 'pod--routing--worker-k8s-multitool--1--vmn9d-eth0', namespace: 'default' },
              spec: {
                orchestrator: 'k8s',
                node: 'pod-routing-worker',
                containerID: (await h.cluster().workloadEndpoints()).find((w) => w.pod === 'multitool-1-vmn9d')?.containerID,
                pod: 'multitool-1-vmn9d',
                endpoint: 'eth0',
                serviceAccountName: 'default',
                ipNetworks: ['192.168.93.201/32'],
                profiles: ['kns.default', 'ksa.default.default'],
                interfaceName: 'calif3ebb4c6889',
              },
            },
          ],
        }),
      };
    };
    const weps = await h.cluster({ calicoctl }).workloadEndpoints();
    assert.deepEqual(calls, [['get', 'workloadendpoints', '--all-namespaces', '-o', 'json']]);
    assert.equal(weps[0]?.interfaceName, 'calif3ebb4c6889');
    assert.equal(weps[0]?.allocation?.ip, '192.168.93.201');
    assert.equal(weps[0]?.source, 'calicoctl get workloadendpoints');
  });

  it('says Calico is missing when its CRDs are not served', async () => {
    const bare = await harness({ calico: false });
    try {
      await assert.rejects(
        bare.cluster().ipamBlocks(),
        (err: Error) => err instanceof EnvironmentError && /Calico is not installed/.test(err.message) && /cluster:up/.test(err.message),
      );
    } finally {
      await bare.close();
    }
  });
});

describe('Calico rules the target recomputes', () => {
  it('names host interfaces as the course shows (sha1 of <namespace>.<pod>)', () => {
    assert.equal(caliInterfaceName('default', 'multitool'), 'cali6d09fa47963');
    assert.equal(caliInterfaceName('default', 'multitool-2-mf8vt'), 'cali3174bc812f3');
    assert.equal(caliInterfaceName('default', 'multitool-1-7ltxg'), 'cali2add6b13a99');
  });

  it('computes addresses from a block and an ordinal, IPv4 and IPv6', () => {
    assert.equal(addressAt('192.168.93.192/26', 9), '192.168.93.201');
    assert.equal(addressAt('192.168.116.0/26', 63), '192.168.116.63');
    assert.throws(() => addressAt('192.168.116.0/26', 64));
    assert.equal(addressAt('fd00:10:244::/122', 5), 'fd00:10:244::5');
    assert.equal(addressAt('fd00:10:244:1::40/122', 1), 'fd00:10:244:1::41');
    assert.ok(cidrContains('192.168.0.0/16', '192.168.112.197'));
    assert.ok(!cidrContains('192.168.93.0/26', '192.168.93.201'));
  });
});

describe('kind target: deleting a pod', () => {
  let h: Harness;
  before(async () => {
    // A StatefulSet's controller: the pod comes back under its name, a new object, as soon as the old one is gone.
    h = await harness({
      kubelet: {
        start: async () => {},
        stop: async (pod) => {
          const again = structuredClone(pod);
          delete again.metadata.deletionTimestamp;
          again.metadata.uid = `${pod.metadata.uid}-again`;
          h.fake.put({ ...again, apiVersion: 'v1', kind: 'Pod' });
        },
      },
    });
  });
  after(() => h.close());

  it('is done once no pod of the name has the deleted UID, though a controller recreated the name at once', async () => {
    const [pod] = await h.cluster().pods({ namespace: 'default', workload: 'multitool-1' });
    assert.ok(pod);
    const before = h.fake.get('v1', 'pods', pod.namespace, pod.name)!.metadata.uid;
    await h.cluster({ podDeleteTimeoutMs: 2_000 }).deletePod(pod.namespace, pod.name);
    assert.equal(h.fake.get('v1', 'pods', pod.namespace, pod.name)?.metadata.uid, `${before}-again`);
  });
});
