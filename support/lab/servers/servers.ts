/**
 * The real servers of the lab's pods: a pod whose container is named after a server the lab
 * knows (nginx) runs that server, started inside the pod's network namespace with its files
 * under the lab's directory. Teardown ends it by PID with every process in the lab's namespaces.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { labFilesDir } from '../cni/node-fs.ts';
import { startContainer } from '../kubelet/kubelet.ts';
import type { LabPod } from '../model.ts';
import { runsIperfServer, startIperfServer } from './iperf.ts';
import { nginxFiles, nginxPid, prepareNginx } from './nginx.ts';

export function serverDir(labName: string, pod: Pick<LabPod, 'namespace' | 'name'>): string {
  return join(labFilesDir(labName), 'servers', `${pod.namespace}.${pod.name}`);
}

export function runsNginx(pod: Pick<LabPod, 'containers' | 'hostNetwork'>): boolean {
  return !pod.hostNetwork && pod.containers.includes('nginx');
}

/**
 * Starts iperf3 in each pod that serves it, and nginx in each pod that runs it, in the
 * foreground as the image's CMD does (`daemon off`), as the pod's container under the lab's
 * kubelet; resolves once every one is serving (nginx writes its pid file once its sockets listen).
 */
export async function startServers(labName: string, pods: LabPod[]): Promise<void> {
  await Promise.all(pods.filter(runsIperfServer).map((pod) => startIperfServer(pod, serverDir(labName, pod))));
  await Promise.all(
    pods.filter(runsNginx).map(async (pod) => {
      const files = nginxFiles(serverDir(labName, pod));
      rmSync(files.pid, { force: true });
      await startContainer({
        labName,
        pod,
        container: 'nginx',
        argv: [...prepareNginx(files), '-g', 'daemon off;'],
        logFile: files.errorLog,
        started: () => nginxPid(files) !== undefined,
        what: `nginx in pod ${pod.namespace}/${pod.name}`,
      });
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
