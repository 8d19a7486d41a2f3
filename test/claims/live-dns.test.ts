import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExecResult, ExecTarget, NodeInfo } from '../../support/domain.ts';
import type { Cluster } from '../../support/cluster/cluster.ts';
import { nodeResolvConfIsDockers } from '../../support/claims/live-dns.ts';
import { fixture } from '../probes/helpers.ts';

/** Lesson 05 §3.3: a Kind node's resolv.conf as Docker writes it (nameserver 172.18.0.1, ndots:0). */
const NODE_RESOLV_CONF = fixture('course-05-node-resolv.conf.txt');

/** Nodes as a live Kind cluster lists them: calico-node records eth0's address with its prefix. */
function kindCluster(nodes: NodeInfo[], resolvConf = NODE_RESOLV_CONF, getent?: string): Cluster {
  return {
    nodes: async () => nodes,
    exec: async (_target: ExecTarget, argv: string[]): Promise<ExecResult> => {
      const lookup = argv.includes('getent');
      // On Linux host.docker.internal does not resolve: getent exits 2 and prints nothing.
      const stdout = lookup ? (getent ?? '') : resolvConf;
      return { where: 'node', argv, exitCode: lookup && getent === undefined ? 2 : 0, stdout, stderr: '', ms: 1, timedOut: false };
    },
  } as unknown as Cluster;
}

/** Docker Desktop: kind's entrypoint names the address host.docker.internal resolves to. */
const DESKTOP_RESOLV_CONF = 'nameserver 192.168.65.254\noptions ndots:0\n';
const DESKTOP_GETENT = '192.168.65.254  STREAM host.docker.internal\n192.168.65.254  DGRAM  \n192.168.65.254  RAW    \n';

const worker = (name: string, ip: string, calicoAddress?: string): NodeInfo =>
  ({ name, role: 'worker', internalIP: ip, ...(calicoAddress ? { calico: { ipv4Address: calicoAddress } } : {}) }) as NodeInfo;

describe('L05-05 nodeResolvConfIsDockers', () => {
  it("reads calico-node's interface address 172.18.0.2/16 (host bits set) and finds the gateway 172.18.0.1", async () => {
    const seen = await nodeResolvConfIsDockers(
      kindCluster([
        worker('k8s-dns-control-plane', '172.18.0.3', '172.18.0.3/16'),
        worker('k8s-dns-worker', '172.18.0.2', '172.18.0.2/16'),
      ]),
    );
    assert.equal(seen.ok, true, seen.observed);
  });

  it('takes the prefix from the Calico address: a /24 node network has its own gateway', async () => {
    const seen = await nodeResolvConfIsDockers(
      kindCluster([worker('n1', '10.10.10.11', '10.10.10.11/24')], 'nameserver 10.10.10.1\noptions ndots:0\n'),
    );
    assert.equal(seen.ok, true, seen.observed);
  });

  it('falls back to the Kind network /16 around the InternalIP where Calico records no address', async () => {
    const seen = await nodeResolvConfIsDockers(kindCluster([worker('n1', '172.18.0.4')]));
    assert.equal(seen.ok, true, seen.observed);
  });

  it('fails a node whose resolv.conf names the cluster DNS', async () => {
    const seen = await nodeResolvConfIsDockers(
      kindCluster(
        [worker('n1', '172.18.0.2', '172.18.0.2/16')],
        'nameserver 10.96.0.10\nsearch default.svc.cluster.local\noptions ndots:5\n',
      ),
    );
    assert.equal(seen.ok, false);
    assert.match(seen.observed, /n1: nameserver 10\.96\.0\.10.*gateway 172\.18\.0\.1/);
  });

  it('T3-16: on Docker Desktop, accepts the nameserver host.docker.internal resolves to on the node', async () => {
    const seen = await nodeResolvConfIsDockers(
      kindCluster([worker('n1', '172.18.0.2', '172.18.0.2/16')], DESKTOP_RESOLV_CONF, DESKTOP_GETENT),
    );
    assert.equal(seen.ok, true, seen.observed);
  });

  it('T3-16: that address only where host.docker.internal resolves to it; elsewhere the gateway', async () => {
    const linux = await nodeResolvConfIsDockers(kindCluster([worker('n1', '172.18.0.2', '172.18.0.2/16')], DESKTOP_RESOLV_CONF));
    assert.equal(linux.ok, false);
    const other = await nodeResolvConfIsDockers(
      kindCluster([worker('n1', '172.18.0.2', '172.18.0.2/16')], DESKTOP_RESOLV_CONF, '192.168.65.2  STREAM host.docker.internal\n'),
    );
    assert.equal(other.ok, false);
    assert.match(other.observed, /host\.docker\.internal 192\.168\.65\.2/);
  });
});
