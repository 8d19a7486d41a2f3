/** L06-03 (live only): the course's Arista cEOS switch as its own JSON output shows it (probes/ceos.ts). */
import type { ExecResult, ExecTarget } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { list, type Verdict, verdict } from '../evidence.ts';
import { ceosShow, type CeosJson as Json } from '../probes/ceos.ts';

export async function ceosSwitchState(cluster: Cluster, router: ExecTarget, mtu: number): Promise<Verdict> {
  const [status, brief, route] = await Promise.all([
    ceosShow(cluster, router, 'show interfaces status'),
    ceosShow(cluster, router, 'show ip interface brief'),
    ceosShow(cluster, router, 'show ip route'),
  ]);
  const evidence: ExecResult[] = [...status.evidence, ...brief.evidence, ...route.evidence];
  const ports = Object.entries((status.value.interfaceStatuses ?? {}) as Json).filter(([name]) => name.startsWith('Ethernet'));
  const svis = Object.entries((brief.value.interfaces ?? {}) as Json).filter(([name]) => name.startsWith('Vlan'));
  const routes = Object.keys((route.value.vrfs?.default?.routes ?? {}) as Json);
  const problems = [
    ...ports.filter(([, port]) => port.linkStatus !== 'connected').map(([name, port]) => `${name} ${port.linkStatus}`),
    ...svis
      .filter(([, svi]) => svi.interfaceStatus !== 'up' || svi.lineProtocolStatus !== 'up' || svi.mtu !== mtu)
      .map(([name, svi]) => `${name} ${svi.interfaceStatus}/${svi.lineProtocolStatus} MTU ${svi.mtu}`),
    ...(routes.includes('0.0.0.0/0') ? ['a default route (gateway of last resort)'] : []),
  ];
  return verdict(
    ports.length > 0 && svis.length > 0 && problems.length === 0,
    `every Ethernet port connected, every VLAN interface up with MTU ${mtu}, no gateway of last resort`,
    problems.length
      ? list(problems)
      : `${ports.map(([name, port]) => `${name} VLAN ${port.vlanInformation?.vlanId}`).join(', ')}; ${svis.map(([name]) => name).join(', ')} up at ${mtu}`,
    evidence,
  );
}
