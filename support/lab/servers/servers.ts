/**
 * The real servers of the lab's pods: a pod whose container is named after a server the lab
 * knows (nginx) runs that server, started inside the pod's network namespace with its files
 * under the lab's directory. Teardown ends it by PID with every process in the lab's namespaces.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runChecked } from '../../exec/run.ts';
import { labFilesDir } from '../cni/node-fs.ts';
import type { LabPod } from '../model.ts';
import { runsIperfServer, startIperfServer } from './iperf.ts';
import { nginxFiles, nginxPid, prepareNginx } from './nginx.ts';

export function serverDir(labName: string, pod: Pick<LabPod, 'namespace' | 'name'>): string {
  return join(labFilesDir(labName), 'servers', `${pod.namespace}.${pod.name}`);
}

export function runsNginx(pod: Pick<LabPod, 'containers' | 'hostNetwork'>): boolean {
  return !pod.hostNetwork && pod.containers.includes('nginx');
}

/** Starts nginx and iperf3 in each pod that runs them; resolves once every one is serving. */
export async function startServers(labName: string, pods: LabPod[]): Promise<void> {
  await Promise.all(pods.filter(runsIperfServer).map((pod) => startIperfServer(pod, serverDir(labName, pod))));
  await Promise.all(
    pods.filter(runsNginx).map(async (pod) => {
      const files = nginxFiles(serverDir(labName, pod));
      await runChecked(['ip', 'netns', 'exec', pod.netns, ...prepareNginx(files)], { where: `pod ${pod.namespace}/${pod.name}` });
      if (nginxPid(files) === undefined) throw new Error(`nginx in pod ${pod.namespace}/${pod.name} wrote no pid file (${files.pid})`);
    }),
  );
}

/** What the pod's server wrote to its container's stdout: nginx's access log. Empty for a pod without one. */
export function serverLogs(labName: string, pod: LabPod): string {
  if (!runsNginx(pod)) return '';
  try {
    return readFileSync(nginxFiles(serverDir(labName, pod)).accessLog, 'utf8');
  } catch {
    return '';
  }
}
