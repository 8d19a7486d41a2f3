/** The course's lessons as the report names and links them, keyed by their feature tags. */
const COURSE = 'https://github.com/aadhilam/k8-networking-calico-containerlab/tree/main/containerlab';

export interface Lesson {
  tag: string;
  title: string;
  url: string;
}

export const LESSONS: Lesson[] = [
  { tag: '@lesson-01', title: 'Lesson 01 — Calico IPAM: pools, blocks and block affinities', url: `${COURSE}/01-calico-ipam` },
  { tag: '@lesson-02', title: 'Lesson 02 — Pod networking', url: `${COURSE}/02-pod-network` },
  { tag: '@lesson-03', title: 'Lesson 03 — Pod routing across nodes', url: `${COURSE}/03-pod-routing` },
  { tag: '@lesson-04', title: 'Lesson 04 — Kubernetes Services: ClusterIP and kube-proxy', url: `${COURSE}/04-k8s-services` },
  { tag: '@lesson-05', title: 'Lesson 05 — Kubernetes DNS', url: `${COURSE}/05-k8s-dns` },
  { tag: '@lesson-06', title: 'Lesson 06 — VXLAN CrossSubnet overlay', url: `${COURSE}/06-calico-overlay` },
  { tag: '@lesson-07', title: 'Lesson 07 — Calico BGP peering with the ToR', url: `${COURSE}/07-calico-bgp` },
  { tag: '@lesson-08', title: 'Lesson 08 — LoadBalancer Service IPs advertised with BGP', url: `${COURSE}/08-calico-bgp-lb` },
  { tag: '@lesson-09', title: 'Lesson 09 — Multiple IP pools', url: `${COURSE}/09-multi-ippool` },
  { tag: '@lesson-10', title: 'Lesson 10 — Pool advertised with BGP to a route-reflector ToR', url: `${COURSE}/10-calico-bgp-ippool` },
  { tag: '@lesson-11', title: 'Lesson 11 — Headless Services and StatefulSet DNS', url: `${COURSE}/11-headless-services` },
  { tag: '@lesson-12', title: 'Lesson 12 — Calico QoS: bandwidth limits from pod annotations', url: `${COURSE}/12-calico-qos` },
  { tag: '@lesson-13', title: 'Lesson 13 — WireGuard encryption between nodes', url: `${COURSE}/13-wireguard` },
  { tag: '@lesson-15', title: 'Lesson 15 — Selective BGP peering with node labels', url: `${COURSE}/15-selective-bgp-peering` },
  { tag: '@lesson-16', title: 'Lesson 16 — IP reservations and static pod IPs', url: `${COURSE}/16-static-ip` },
  { tag: '@lesson-18', title: 'Lesson 18 — MTU, jumbo frames and path MTU discovery', url: `${COURSE}/18-mtu` },
  { tag: '@lesson-21', title: 'Lesson 21 — A second network with Multus and macvlan', url: `${COURSE}/21-macvlan` },
  { tag: '@lesson-22', title: 'Lesson 22 — IPvlan L2 and L3', url: `${COURSE}/22-ipvlan` },
  {
    tag: '@network-model',
    title: 'The Kubernetes network model and CNI',
    url: 'https://kubernetes.io/docs/concepts/services-networking/#the-kubernetes-network-model',
  },
];

export function lessonOf(tags: string[]): Lesson | undefined {
  return LESSONS.find((lesson) => tags.includes(lesson.tag));
}
