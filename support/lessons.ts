/** The course's lessons as the report names and links them, keyed by their feature tags. */
const COURSE = 'https://github.com/aadhilam/k8-networking-calico-containerlab/tree/main/containerlab';

export interface Lesson {
  tag: string;
  title: string;
  url: string;
}

export const LESSONS: Lesson[] = [
  { tag: '@lesson-02', title: 'Lesson 02 — Pod networking', url: `${COURSE}/02-pod-network` },
  { tag: '@lesson-03', title: 'Lesson 03 — Pod routing across nodes', url: `${COURSE}/03-pod-routing` },
  { tag: '@lesson-07', title: 'Lesson 07 — Calico BGP peering with the ToR', url: `${COURSE}/07-calico-bgp` },
  { tag: '@lesson-08', title: 'Lesson 08 — LoadBalancer Service IPs advertised with BGP', url: `${COURSE}/08-calico-bgp-lb` },
  { tag: '@lesson-10', title: 'Lesson 10 — Pool advertised with BGP to a route-reflector ToR', url: `${COURSE}/10-calico-bgp-ippool` },
  { tag: '@lesson-15', title: 'Lesson 15 — Selective BGP peering with node labels', url: `${COURSE}/15-selective-bgp-peering` },
  { tag: '@network-model', title: 'The Kubernetes network model and CNI', url: 'https://kubernetes.io/docs/concepts/services-networking/#the-kubernetes-network-model' },
];

export function lessonOf(tags: string[]): Lesson | undefined {
  return LESSONS.find((lesson) => tags.includes(lesson.tag));
}
