/** Claims about the node's side of a pod: its cali interface and host route. */
import type { PodInfo } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { caliInterfaceName } from '../net/calico.ts';
import { list, type Verdict, verdict } from '../evidence.ts';
import { formatRoute } from '../parse/ip-route.ts';
import { ipv4Addresses } from '../probes/interfaces.ts';
import { routes } from '../probes/routes.ts';
import { nodeTarget } from '../subjects.ts';
import { hostSideOf } from '../probes/host-side.ts';

export async function hostRouteToPod(cluster: Cluster, pod: PodInfo): Promise<Verdict> {
  const [side, table] = await Promise.all([hostSideOf(cluster, pod), routes(cluster, nodeTarget(pod.node))]);
  const toPod = table.value.filter((route) => route.prefix === `${pod.ip}/32`);
  const good = toPod.filter((route) => route.dev === side.host?.name && route.gateway === undefined && route.scope === 'link');
  return verdict(
    side.host !== undefined && toPod.length === 1 && good.length === 1,
    `node ${pod.node} to route ${pod.ip} straight to the pod's host interface: "${pod.ip} dev ${side.host?.name ?? '<pod’s peer>'} scope link", no gateway`,
    toPod.length ? toPod.map(formatRoute).join(' | ') : `no /32 route to ${pod.ip}`,
    [...side.evidence, ...table.evidence],
  );
}

export async function hostInterfaceNamedByRule(cluster: Cluster, pod: PodInfo): Promise<Verdict> {
  const side = await hostSideOf(cluster, pod);
  const expected = caliInterfaceName(pod.namespace, pod.name);
  return verdict(
    side.host?.name === expected,
    `the host interface of pod ${pod.name} to be named ${expected} (cali + sha1("${pod.namespace}.${pod.name}")[:11])`,
    side.host?.name ?? 'no host interface',
    side.evidence,
  );
}

type HostProperty = 'mac' | 'no-ipv4' | 'up' | 'same-mtu' | 'paired';

export async function hostInterfaceHas(cluster: Cluster, pod: PodInfo, property: HostProperty, value?: string): Promise<Verdict> {
  const side = await hostSideOf(cluster, pod);
  const host = side.host;
  const subject = `the host interface of pod ${pod.name}${host ? ` (${host.name} on ${pod.node})` : ''}`;
  if (!host) return verdict(false, `${subject} to exist`, 'eth0 has no peer on the node', side.evidence);
  switch (property) {
    case 'mac':
      return verdict(host.mac === value, `${subject} to have MAC ${value}`, host.mac ?? 'no MAC', side.evidence);
    case 'no-ipv4':
      return verdict(ipv4Addresses(host).length === 0, `${subject} to hold no IPv4 address`, list(ipv4Addresses(host)), side.evidence);
    case 'up':
      return verdict(
        host.up && host.operState === 'UP',
        `${subject} to be UP`,
        `${host.up ? 'admin up' : 'admin down'}, state ${host.operState}`,
        side.evidence,
      );
    case 'same-mtu':
      return verdict(
        host.mtu === side.eth0?.mtu,
        `${subject} to have the MTU of the pod's eth0 (${side.eth0?.mtu})`,
        `MTU ${host.mtu}`,
        side.evidence,
      );
    case 'paired':
      return verdict(
        host.peerIndex !== undefined && host.peerIndex === side.eth0?.index,
        `${subject} to point back at the pod's eth0 (@if${side.eth0?.index})`,
        host.peerIndex === undefined ? 'no peer index' : `@if${host.peerIndex}`,
        side.evidence,
      );
  }
}
