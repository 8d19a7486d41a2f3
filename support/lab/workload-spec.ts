/**
 * A workload as a topology's manifests declare it (a Pod, DaemonSet, Deployment or
 * StatefulSet): read by spec.ts, and built by the parts that add their own (the cluster DNS).
 */
import type { PodPorts } from './services/services.ts';

export interface WorkloadSpec {
  kind: 'Pod' | 'DaemonSet' | 'Deployment' | 'StatefulSet';
  name: string;
  namespace: string;
  labels: Record<string, string>;
  /** Tolerates the control-plane taint, so a DaemonSet also runs there. */
  toleratesControlPlane: boolean;
  hostNetwork: boolean;
  containers: string[];
  /** Nodes a preferred node affinity on kubernetes.io/hostname names (lab node names), where the scheduler puts the pod if it can. */
  preferredNodes?: string[];
  /** The pod template's annotations (a bare Pod's own). */
  annotations?: Record<string, string>;
  /** A Deployment's replica count. */
  replicas?: number;
  /** A Deployment's pod-template-hash: its ReplicaSet is `<name>-<hash>`, its pods `<name>-<hash>-<5 chars>`. */
  templateHash?: string;
  /** The named container ports of its pods (a Service's named targetPort resolves through them). */
  ports?: PodPorts;
  /** The lesson folder (fixtures/lessons/<lesson>/) it comes from; absent for the suite's own workloads. */
  lesson?: string;
  /** A StatefulSet's governing (headless) Service: its pods get hostname <pod> and subdomain <serviceName>. */
  serviceName?: string;
  /** The pod's dnsPolicy; absent means ClusterFirst (a coredns pod has Default: its node's resolv.conf). */
  dnsPolicy?: 'ClusterFirst' | 'Default';
  /** The first container's command and args, where the manifest gives them (lesson 13's servers run their own). */
  command?: string[];
}
