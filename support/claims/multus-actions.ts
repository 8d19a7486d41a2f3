/** The When side of lessons 21 and 22: a pod pings over its second network while its node's VLAN and node links are captured. */
import type { PodInfo } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { captureDuring } from '../probes/capture.ts';
import type { Observation } from '../probes/observation.ts';
import { ping } from '../probes/ping.ts';
import { nodeTarget, podTarget } from '../subjects.ts';
import { nadIpam, secondaryAddress, type SecondaryPingSeen } from './multus.ts';

// The course's names: Multus calls the first secondary interface net1; the nodes' VLAN link is eth2.
const NET1 = 'net1';
const PARENT = 'eth2';

/** `from` pings `to` from its net1 address `count` times while its node's eth2 and eth1 are captured. */
async function pingOverSecondary(
  cluster: Cluster,
  from: PodInfo,
  to: string,
  toWhat: string,
  count: number,
): Promise<Observation<SecondaryPingSeen>> {
  const source = (await secondaryAddress(cluster, from, NET1)).cidrs[0]?.split('/')[0];
  if (!source) throw new Error(`${from.name} has no address on net1`);
  const node = nodeTarget(from.node);
  const outer = await captureDuring(
    cluster,
    node,
    ['icmp'],
    `${PARENT} of node ${from.node}`,
    () => captureDuring(cluster, node, ['icmp'], `eth1 of node ${from.node}`, () => ping(cluster, podTarget(from), to, count), 'eth1'),
    PARENT,
  );
  const inner = outer.value.during;
  return {
    value: {
      from,
      to,
      toWhat,
      source,
      count,
      ping: inner.value.during,
      captured: { [PARENT]: outer.value.packets, eth1: inner.value.packets },
    },
    evidence: outer.evidence,
    files: [...(outer.files ?? []), ...(inner.files ?? [])],
  };
}

/** `from` pings the gateway of the NetworkAttachmentDefinition `nad` over net1, under the captures. */
export async function pingNadGateway(cluster: Cluster, from: PodInfo, nad: string, count: number): Promise<Observation<SecondaryPingSeen>> {
  const { gateway } = await nadIpam(cluster, nad, from.namespace);
  return pingOverSecondary(cluster, from, gateway, `the gateway of ${nad}`, count);
}

/** `from` pings the net1 address of `to` over net1, under the captures. */
export async function pingNet1Of(cluster: Cluster, from: PodInfo, to: PodInfo, count: number): Promise<Observation<SecondaryPingSeen>> {
  const address = (await secondaryAddress(cluster, to, NET1)).cidrs[0]?.split('/')[0];
  if (!address) throw new Error(`${to.name} has no address on net1`);
  return pingOverSecondary(cluster, from, address, `the net1 address of ${to.name}`, count);
}
