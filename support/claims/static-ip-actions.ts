/**
 * The When side of lesson 16's fixed-address claims: the lesson's IPReservation applied, a pod
 * created from one of its manifests, and a running pod given a manifest's ipAddrs request.
 */
import type { KeepUndo, PodInfo } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { ipReservationFrom, podRequestFrom } from '../manifests.ts';
import { IP_ADDRS_ANNOTATION } from '../net/calico.ts';

/** Applies the lesson's IPReservation `name` if the cluster has none of that name; only then is it deleted afterwards. */
export async function applyLessonIpReservation(cluster: Cluster, name: string, keepUndo: KeepUndo): Promise<void> {
  const reservation = ipReservationFrom(name);
  // Whether it was absent is known only once applied: a cluster that had it keeps it.
  let created = false;
  keepUndo(`IPReservation ${reservation.name}`, async () => {
    if (created) await cluster.deleteIpReservation(reservation.name);
  });
  created = await cluster.applyIpReservation(reservation);
}

/** Creates the pod of the lesson's manifest `manifest` in the workload namespace, also one whose sandbox the CNI plugin refuses. */
export async function createPodFromManifest(cluster: Cluster, manifest: string): Promise<PodInfo> {
  const request = { ...podRequestFrom(manifest, cluster.workloadNamespace), allowSandboxFailure: true };
  return cluster.createPod(request);
}

/** Annotates `pod` with the ipAddrs request of the lesson's manifest `manifest` (the pod is the scenario's, deleted with it). */
export async function annotateWithManifestIpAddrs(cluster: Cluster, pod: PodInfo, manifest: string): Promise<void> {
  const wanted = podRequestFrom(manifest, pod.namespace).annotations?.[IP_ADDRS_ANNOTATION];
  if (!wanted) throw new Error(`the manifest ${manifest} has no ${IP_ADDRS_ANNOTATION} annotation`);
  await cluster.annotatePod(pod.namespace, pod.name, { [IP_ADDRS_ANNOTATION]: wanted });
}
