/**
 * Claims of lessons 05 and 11 that need Kubernetes itself (tagged @live-only): the CoreDNS
 * ConfigMap, CoreDNS's metrics, the nodes' resolv.conf as Docker writes it, the StatefulSet's
 * ordered start, the replicas' logs. They read what a learner reads: kubectl on the
 * control-plane node (kubeadm's admin.conf), curl from a pod, `cat` on a node, the pod logs.
 */
import type { ExecResult, NodeInfo, PodInfo } from '../domain.ts';
import { type Cluster } from '../cluster/cluster.ts';
import { list, type Verdict, verdict } from '../evidence.ts';
import { nthAddress, parseInterfaceAddress } from '../net/cidr.ts';
import { httpBody } from '../probes/http.ts';
import { corefileLines, podManagementPolicy, statefulSetPodTimes } from '../probes/kubectl.ts';
import { firstHostAddress, resolvConf } from '../probes/resolv.ts';
import { describePod, nodeTarget, podTarget } from '../subjects.ts';
import { expandName } from './cluster-dns.ts';

/** L05-03: every expected line is a line of the Corefile in ConfigMap kube-system/coredns. */
export async function corefileHolds(cluster: Cluster, lines: string[]): Promise<Verdict> {
  const corefile = await corefileLines(cluster);
  const missing = lines.filter((line) => !corefile.value.includes(line));
  return verdict(
    missing.length === 0,
    `the Corefile to hold the lines ${list(lines)}`,
    missing.length ? `no ${list(missing)}` : 'all of them',
    corefile.evidence,
  );
}

/** L05-04: each CoreDNS pod serves Prometheus text with coredns_ families on 9153. */
export async function coreDnsMetrics(cluster: Cluster, client: PodInfo): Promise<Verdict> {
  const pods = (await cluster.pods({ namespace: 'kube-system' })).filter((pod) => pod.labels['k8s-app'] === 'kube-dns' && pod.ip);
  const seen = await Promise.all(pods.map((pod) => httpBody(cluster, podTarget(client), `http://${pod.ip}:9153/metrics`)));
  const without = pods.filter((_, index) => !/^coredns_\w+/m.test(seen[index]?.value ?? ''));
  return verdict(
    pods.length > 0 && without.length === 0,
    `GET http://<CoreDNS pod IP>:9153/metrics from ${describePod(client)} to return coredns_ metric families for every CoreDNS pod`,
    without.length
      ? `none from ${list(without.map((pod) => pod.ip as string))}`
      : `coredns_ families from ${list(pods.map((pod) => pod.ip as string))}`,
    seen.flatMap((one) => one.evidence),
  );
}

/**
 * The gateway of a node's network: the first address of the network of the node's interface
 * address. That address is what calico-node records (spec.bgp.ipv4Address, 172.18.0.2/16: an
 * interface address, host bits set) when it sits on the InternalIP; else Kind's default /16.
 */
function nodeNetworkGateway(node: NodeInfo): string {
  const recorded = node.calico?.ipv4Address;
  const onInternalIP = recorded && parseInterfaceAddress(recorded).address === node.internalIP ? recorded : `${node.internalIP}/16`;
  return nthAddress(parseInterfaceAddress(onInternalIP).network, 1);
}

/**
 * The address kind's entrypoint gives a node as its nameserver when `host.docker.internal`
 * resolves there (Docker Desktop), read as the entrypoint reads it: the first address of
 * `getent ahostsv4 host.docker.internal`, a loopback answer not counted (kind
 * images/base/files/usr/local/bin/entrypoint, v0.20.0 lines 452-456: else the default gateway).
 * Asked only when the nameserver is not the gateway; undefined where the name does not resolve.
 */
async function dockerHostAddress(cluster: Cluster, node: string): Promise<{ address?: string; evidence: ExecResult[] }> {
  const seen = await firstHostAddress(cluster, nodeTarget(node), 'host.docker.internal');
  return { address: seen.value?.startsWith('127.') ? undefined : seen.value, evidence: seen.evidence };
}

/**
 * L05-05: a node's resolv.conf names the node network's gateway (or, on Docker Desktop, what
 * host.docker.internal resolves to on the node), no cluster.local, and ndots:0.
 */
export async function nodeResolvConfIsDockers(cluster: Cluster): Promise<Verdict> {
  const nodes = await cluster.nodes();
  const seen = await Promise.all(nodes.map((node) => resolvConf(cluster, nodeTarget(node.name))));
  const asked: ExecResult[] = [];
  const wrong = (
    await Promise.all(
      nodes.map(async (node, index) => {
        const conf = seen[index]?.value;
        const gateway = nodeNetworkGateway(node);
        let nameserverOk = conf?.nameservers[0] === gateway;
        let dockerHost: string | undefined;
        if (conf && !nameserverOk) {
          const host = await dockerHostAddress(cluster, node.name);
          asked.push(...host.evidence);
          dockerHost = host.address;
          nameserverOk = dockerHost !== undefined && conf.nameservers[0] === dockerHost;
        }
        const ok = conf && nameserverOk && !conf.search.some((domain) => domain.endsWith('cluster.local')) && conf.options.ndots === '0';
        return ok
          ? []
          : [
              `${node.name}: nameserver ${conf?.nameservers.join(' ') || 'none'}, search ${conf?.search.join(' ') || 'none'}, ndots ${conf?.options.ndots ?? 'unset'} (gateway ${gateway}${dockerHost ? `, host.docker.internal ${dockerHost}` : ''})`,
            ];
      }),
    )
  ).flat();
  return verdict(
    wrong.length === 0,
    "every node's /etc/resolv.conf to name its network's gateway (or what host.docker.internal resolves to on the node), search no cluster.local domain and set ndots:0",
    wrong.length ? wrong.join('; ') : 'so on every node',
    [...seen.flatMap((each) => each.evidence), ...asked],
  );
}

/** L11-02: OrderedReady, and each pod of the set (ordinal ≥ 1) was created after the one before was Ready. */
export async function statefulSetStartedInOrder(cluster: Cluster, statefulSet: string): Promise<Verdict> {
  const ns = cluster.workloadNamespace;
  const [policy, pods] = await Promise.all([podManagementPolicy(cluster, ns, statefulSet), statefulSetPodTimes(cluster, ns, statefulSet)]);
  const rows = pods.value;
  const byOrdinal = new Map(rows.map((row) => [row.ordinal, row]));
  // Ordinal 0 may have been recreated since (L11-18); the order of the first start shows from ordinal 1 on.
  const early = rows.filter((row) => row.ordinal >= 2 && !(row.created >= (byOrdinal.get(row.ordinal - 1)?.ready ?? Infinity)));
  return verdict(
    policy.value === 'OrderedReady' && rows.length > 0 && early.length === 0,
    `StatefulSet ${statefulSet} to have podManagementPolicy OrderedReady and to create each pod only after the one before it was Ready`,
    `policy ${policy.value || '(none)'}; ${early.length ? `created early: ${list(early.map((row) => row.name))}` : `${rows.length} pods in order`}`,
    [...policy.evidence, ...pods.evidence],
  );
}

/** L11-15: a replica's init container waited for the master's name, then redis connected to the master by it. */
export async function replicaLogsShowDiscovery(cluster: Cluster, pod: string, master: string): Promise<Verdict> {
  const ns = cluster.workloadNamespace;
  const wantMaster = expandName(cluster, undefined, master);
  const [init, main] = await Promise.all([cluster.podLogs(ns, pod, 'init-redis'), cluster.podLogs(ns, pod, 'redis')]);
  const waited = /waiting for master redis-0|Waiting for redis-0\.redis-headless/.test(init);
  const connected = main.includes(`Connecting to MASTER ${wantMaster}:6379`);
  return verdict(
    waited && connected,
    `the logs of ${pod} to show its init container waiting for redis-0.redis-headless, then "Connecting to MASTER ${wantMaster}:6379"`,
    `init container ${waited ? 'waited' : 'shows no wait'}; redis ${connected ? 'connected by name' : 'shows no such connection'}`,
    [],
  );
}
