/**
 * Claims of lesson 16: IPReservations kept out of automatic assignment, pods that ask for a
 * fixed address with `cni.projectcalico.org/ipAddrs`, and what happens when they cannot have it.
 */
import type { IpReservation, PodInfo } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { list, listing, sameSet, type Verdict, verdict } from '../evidence.ts';
import { IP_ADDRS_ANNOTATION, POD_IP_ANNOTATION, VXLAN_DEVICE } from '../net/calico.ts';
import { cidrContains } from '../net/cidr.ts';
import { requestedAddress } from '../manifests.ts';
import { interfaces, interfaceNamed, ipv4Addresses } from '../probes/interfaces.ts';
import { describePod, nodeTarget, podTarget } from '../subjects.ts';

async function reservationNamed(cluster: Cluster, name: string): Promise<{ reservation: IpReservation | undefined; all: IpReservation[] }> {
  const all = await cluster.ipReservations();
  return { reservation: all.find((candidate) => candidate.name === name), all };
}

/** L16-02: the IPReservation reserves exactly the CIDRs its manifest lists. */
export async function reservationAsDeclared(cluster: Cluster, declared: IpReservation): Promise<Verdict> {
  const { reservation, all } = await reservationNamed(cluster, declared.name);
  return verdict(
    reservation !== undefined && sameSet(reservation.reservedCIDRs, declared.reservedCIDRs),
    `IPReservation ${declared.name} to reserve exactly ${list(declared.reservedCIDRs)}`,
    reservation
      ? `reservedCIDRs ${list(reservation.reservedCIDRs)}`
      : `no IPReservation ${declared.name} (there are: ${list(all.map((r) => r.name))})`,
    [],
    [listing('ip-reservations', all)],
  );
}

/** L16-03: no pod without an ipAddrs annotation, and no node's tunnel address, holds a reserved address. */
export async function reservationKeptFromAutomaticAssignment(cluster: Cluster, name: string): Promise<Verdict> {
  const [{ reservation, all }, pods, nodes] = await Promise.all([reservationNamed(cluster, name), cluster.pods(), cluster.nodes()]);
  if (!reservation) return verdict(false, `IPReservation ${name} to exist`, `there are: ${list(all.map((r) => r.name))}`);
  const reserved = (ip: string) => reservation.reservedCIDRs.some((cidr) => cidrContains(cidr, ip));
  const automatic = pods.filter((pod) => !pod.hostNetwork && pod.ip !== undefined && requestedAddress(pod.annotations) === undefined);
  const tunnels = await Promise.all(
    nodes.map(async (node) => ({ node: node.name, seen: await interfaces(cluster, nodeTarget(node.name)) })),
  );
  const tunnelIPs = tunnels.flatMap(({ node, seen }) => {
    const device = interfaceNamed(seen.value, VXLAN_DEVICE);
    return (device ? ipv4Addresses(device) : []).map((cidr) => ({ node, ip: cidr.split('/')[0] as string }));
  });
  const inside = [
    ...automatic.filter((pod) => reserved(pod.ip as string)).map((pod) => `${pod.name} ${pod.ip}`),
    ...tunnelIPs.filter(({ ip }) => reserved(ip)).map(({ node, ip }) => `${node} tunnel ${ip}`),
  ];
  return verdict(
    automatic.length > 0 && inside.length === 0,
    `no pod assigned automatically (${automatic.length}) and no tunnel address to lie in ${list(reservation.reservedCIDRs)}, reserved by ${name}`,
    inside.length
      ? `reserved addresses handed out: ${list(inside)}`
      : `none inside; pods ${list(automatic.map((pod) => pod.ip as string))}`,
    tunnels.flatMap(({ seen }) => seen.evidence),
    [
      listing(
        'pods',
        automatic.map((pod) => ({ pod: `${pod.namespace}/${pod.name}`, ip: pod.ip })),
      ),
    ],
  );
}

/** L16-04, L16-07, L16-09: the pod's IP (status.podIP) and eth0's only address are the one its ipAddrs annotation asks for. */
export async function podHasRequestedAddress(cluster: Cluster, pod: PodInfo): Promise<Verdict> {
  const wanted = requestedAddress(pod.annotations);
  const [current] = (await cluster.pods({ namespace: pod.namespace })).filter((candidate) => candidate.name === pod.name);
  const seen = await interfaces(cluster, podTarget(pod));
  const device = interfaceNamed(seen.value, 'eth0');
  const eth0 = device ? ipv4Addresses(device) : [];
  return verdict(
    wanted !== undefined && current?.ip === wanted && eth0.length === 1 && eth0[0] === `${wanted}/32`,
    `${describePod(pod)} to have exactly the address its ${IP_ADDRS_ANNOTATION} annotation asks for, ${wanted ?? '(none asked)'}, as its IP and as eth0's only address`,
    `status.podIP ${current?.ip ?? 'none'}; eth0 ${list(eth0)}`,
    seen.evidence,
  );
}

/** L16-04: the address the pod asks for lies in the reservation (a reserved address can be asked for explicitly). */
export async function requestedAddressIsReserved(cluster: Cluster, pod: PodInfo, name: string): Promise<Verdict> {
  const { reservation, all } = await reservationNamed(cluster, name);
  const wanted = requestedAddress(pod.annotations);
  const reserved =
    wanted !== undefined && reservation !== undefined && reservation.reservedCIDRs.some((cidr) => cidrContains(cidr, wanted));
  return verdict(
    reserved,
    `${wanted ?? 'the address asked for'} to be reserved by ${name}`,
    reservation ? `${name} reserves ${list(reservation.reservedCIDRs)}` : `no ${name}`,
    [],
    [listing('ip-reservations', all)],
  );
}

/** L16-05: the pod keeps its ipAddrs annotation and carries Calico's podIP annotation, its IP as a /32. */
export async function calicoAnnotationsOf(cluster: Cluster, pod: PodInfo): Promise<Verdict> {
  const [current] = (await cluster.pods({ namespace: pod.namespace })).filter((candidate) => candidate.name === pod.name);
  const annotations = current?.annotations ?? {};
  const wanted = requestedAddress(annotations);
  const ok = wanted !== undefined && annotations[POD_IP_ANNOTATION] === `${wanted}/32` && current?.ip === wanted;
  const shown = [IP_ADDRS_ANNOTATION, POD_IP_ANNOTATION].map((key) => `${key}: ${annotations[key] ?? '(none)'}`).join('; ');
  return verdict(
    ok,
    `${describePod(pod)} to carry ${IP_ADDRS_ANNOTATION} and ${POD_IP_ANNOTATION} = the address asked for, as a /32`,
    `${shown}; status.podIP ${current?.ip ?? 'none'}`,
    [],
    [listing('annotations', annotations)],
  );
}

/** L16-07, L16-10: the pod has no IP and its container waits in ContainerCreating. */
export async function podStuckCreating(cluster: Cluster, pod: PodInfo): Promise<Verdict> {
  const [current] = (await cluster.pods({ namespace: pod.namespace })).filter((candidate) => candidate.name === pod.name);
  const waiting = current?.containers.map((container) => container.waiting ?? (container.ready ? 'ready' : 'not ready')) ?? [];
  return verdict(
    current !== undefined &&
      current.ip === undefined &&
      current.phase === 'Pending' &&
      waiting.length > 0 &&
      waiting.every((reason) => reason === 'ContainerCreating'),
    `${pod.namespace}/${pod.name} to stay ContainerCreating with no IP`,
    current ? `phase ${current.phase}, IP ${current.ip ?? 'none'}, containers ${list(waiting)}` : 'the pod is gone',
  );
}

/** L16-08: the pod's events say why (the kubelet's FailedCreatePodSandBox with Calico IPAM's error). */
export async function podEventSays(cluster: Cluster, pod: PodInfo, reason: string, text: string): Promise<Verdict> {
  const events = await cluster.podEvents(pod.namespace, pod.name);
  const match = events.find((event) => event.reason === reason && event.message.includes(text));
  return verdict(
    match !== undefined,
    `an event ${reason} of ${pod.namespace}/${pod.name} saying "${text}"`,
    events.length ? events.map((event) => `${event.reason}: ${event.message}`).join(' | ') : 'no events',
    [],
    [listing('events', events)],
  );
}

/** L16-11: the pod kept the address it had (the annotation is read only at creation). */
export async function podKeptAddress(cluster: Cluster, pod: PodInfo): Promise<Verdict> {
  const [current] = (await cluster.pods({ namespace: pod.namespace })).filter((candidate) => candidate.name === pod.name);
  const seen = await interfaces(cluster, podTarget(pod));
  const device = interfaceNamed(seen.value, 'eth0');
  const eth0 = device ? ipv4Addresses(device) : [];
  return verdict(
    current?.ip === pod.ip && eth0.length === 1 && eth0[0] === `${pod.ip}/32`,
    `${describePod(pod)} to keep ${pod.ip} as its IP and on eth0, whatever was annotated since (${current?.annotations[IP_ADDRS_ANNOTATION] ?? 'nothing'})`,
    `status.podIP ${current?.ip ?? 'none'}; eth0 ${list(eth0)}`,
    seen.evidence,
  );
}
