/**
 * Calico's LoadBalancer IPAM (calico v3.30, kube-controllers/pkg/controllers/loadbalancer/
 * loadbalancer_controller.go): for every Service of type LoadBalancer (assignIPs AllServices, the
 * default), assignIP auto-assigns one IPv4 address with IntendedUse LoadBalancer and Hostname
 * "load-balancer", under the handle `lb-<sha256 of "<name>-<namespace>-<uid>", base64url, without -_.>`
 * and the attributes service, namespace and type, then writes it to status.loadBalancer.ingress.
 * Without a pool whose allowedUses hold LoadBalancer, the Service keeps no address (syncService).
 *
 * Which address comes first: the pool's first, 172.16.0.240 for the course's 172.16.0.240/28,
 * although the course's outputs (lessons 08, 15 and 19) show 172.16.0.241. In Calico v3.30.0,
 * assignIP passes no HostReservedAttr, so the virtual node's new block is made by
 * newBlock(cidr, nil) (libcalico-go/lib/ipam/ipam_block.go), whose Unallocated list is the
 * ordinals 0..n-1 in order with none held back (only Windows hosts reserve x.0-x.2 and the
 * last); block.autoAssign takes them front first and skips only addresses an IPReservation
 * covers (getReservedIPs, ipam.go). Nothing skips a block's or pool's network address. So a
 * Service gets .241 only when .240 is held or reserved: a LoadBalancer Service before it, or
 * one released (a released ordinal goes to the back of Unallocated). Lesson 15's output is
 * byte for byte lesson 08's (same clusterIP and nodePort) and lesson 19's uses placeholders.
 */
import { Ipam, LOAD_BALANCER_NODE } from '../ipam/ipam.ts';
import type { LabService } from '../services/services.ts';
import type { IpamState } from '../ipam/ipam.ts';

/**
 * The Services with their LoadBalancer addresses, and the IPAM after the assignments. Services that
 * already hold one keep it; a Service that is not a LoadBalancer gets none.
 */
export function assignLoadBalancerIPs(services: LabService[], ipamState: IpamState): { services: LabService[]; ipam: IpamState } {
  const ipam = Ipam.fromState(ipamState);
  const hasPool = ipam.pools.some((pool) => pool.allowedUses?.includes('LoadBalancer'));
  const assigned = services.map((service) => {
    if (service.type !== 'LoadBalancer' || service.loadBalancerIP || !hasPool) return service;
    // Calico hashes name, namespace and UID into the handle; the lab has no UIDs, so it names the Service.
    const handle = `lb-${service.namespace}-${service.name}`;
    const ip = ipam.assign(LOAD_BALANCER_NODE, `service:${service.namespace}/${service.name}`, {
      use: 'LoadBalancer',
      attributes: { handle_id: handle, namespace: service.namespace, service: service.name, type: 'LoadBalancer' },
    });
    return { ...service, loadBalancerIP: ip };
  });
  return { services: assigned, ipam: ipam.toState() };
}
