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
  { tag: '@lesson-04', title: 'Lesson 04 — Kubernetes Services: ClusterIP and kube-proxy', url: `${COURSE}/04-k8s-services` },
  { tag: '@lesson-05', title: 'Lesson 05 — Kubernetes DNS', url: `${COURSE}/05-k8s-dns` },
  { tag: '@lesson-11', title: 'Lesson 11 — Headless Services and StatefulSet DNS', url: `${COURSE}/11-headless-services` },
  { tag: '@network-model', title: 'The Kubernetes network model and CNI', url: 'https://kubernetes.io/docs/concepts/services-networking/#the-kubernetes-network-model' },
];

export function lessonOf(tags: string[]): Lesson | undefined {
  return LESSONS.find((lesson) => tags.includes(lesson.tag));
}
