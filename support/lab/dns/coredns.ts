/**
 * kubeadm's CoreDNS Deployment as the lab runs it (kubernetes v1.28
 * cmd/kubeadm/app/phases/addons/dns/manifests.go): `coredns` in kube-system, 2 replicas,
 * label k8s-app=kube-dns, tolerating the control-plane taint, dnsPolicy Default (the pods
 * resolve through their node's resolv.conf, which `forward . /etc/resolv.conf` uses), ports
 * dns 53/UDP, dns-tcp 53/TCP and metrics 9153/TCP. The kube-dns Service selects them.
 */
import type { WorkloadSpec } from '../workload-spec.ts';

export const COREDNS_NAMESPACE = 'kube-system';
export const COREDNS_LABEL = { 'k8s-app': 'kube-dns' };

export function coreDnsWorkload(): WorkloadSpec {
  return {
    kind: 'Deployment',
    name: 'coredns',
    namespace: COREDNS_NAMESPACE,
    labels: { ...COREDNS_LABEL },
    toleratesControlPlane: true,
    hostNetwork: false,
    containers: ['coredns'],
    ports: { dns: { port: 53, protocol: 'UDP' }, 'dns-tcp': { port: 53, protocol: 'TCP' }, metrics: { port: 9153, protocol: 'TCP' } },
    replicas: 2,
    // The pod-template-hash of kubeadm v1.28.0's CoreDNS Deployment, as the course's cluster shows it (coredns-5dd5756b68-…).
    templateHash: '5dd5756b68',
    dnsPolicy: 'Default',
  };
}

/** Whether a pod of the model is one of the cluster DNS's pods. */
export function isCoreDnsPod(pod: { namespace: string; labels: Record<string, string> }): boolean {
  return pod.namespace === COREDNS_NAMESPACE && pod.labels['k8s-app'] === COREDNS_LABEL['k8s-app'];
}
