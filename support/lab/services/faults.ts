/**
 * Faults of the Services' side that are not kube-proxy's: a backend that stops serving or
 * fails readiness or cannot start, an EndpointSlice controller that stopped. Each changes the model (and, for
 * the server, the pods' processes); kube-proxy then follows the model as it would.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { killContainer, restartsOf, untilCrashLooping } from '../kubelet/kubelet.ts';
import type { Fault } from '../faults/fault.ts';
import { endpointSlices, type LabPod, type LabState } from '../model.ts';
import { nginxFiles } from '../servers/nginx.ts';
import { runsNginx, serverDir } from '../servers/servers.ts';

const nginxPods = (state: LabState): LabPod[] =>
  state.pods.filter((pod) => pod.workload === 'nginx-deployment').sort((a, b) => a.name.localeCompare(b.name));

function lastNginxPod(state: LabState): LabPod {
  const pod = nginxPods(state).at(-1);
  if (!pod) throw new Error('the lab has no nginx-deployment pod to break');
  return pod;
}

export const SERVICE_FAULTS: Fault[] = [
  {
    name: 'nginx-replica-not-ready',
    description: 'one nginx-deployment pod fails its readiness check (0/1 ready), so the EndpointSlice marks it not ready',
    apply: async (state) => {
      lastNginxPod(state).ready = false;
    },
  },
  {
    name: 'nginx-stopped',
    description:
      "nginx's configuration no longer loads (a typo in its server block) and nginx was restarted: it exits at every start, the kubelet restarts it in back-off (CrashLoopBackOff), the pods are not Ready and connections are refused",
    apply: async (state) => {
      const pods = nginxPods(state).filter(runsNginx);
      const containers = pods.map((pod) => ({ pod, container: 'nginx', before: restartsOf(state.name, pod, 'nginx') }));
      for (const pod of pods) {
        const files = nginxFiles(serverDir(state.name, pod));
        writeFileSync(files.config, readFileSync(files.config, 'utf8').replace(/^(\s*)listen /m, '$1listn '));
        killContainer(state.name, pod, 'nginx');
      }
      await untilCrashLooping(state.name, containers);
    },
  },
  {
    name: 'endpointslice-stale',
    description:
      "the EndpointSlice controller stopped, then an nginx pod was relabelled app=nginx-debug: the Service's slice still lists it",
    apply: async (state) => {
      state.staleEndpointSlices = endpointSlices(state);
      const pod = lastNginxPod(state);
      pod.labels = { ...pod.labels, app: 'nginx-debug' };
    },
  },
];
