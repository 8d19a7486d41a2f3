/**
 * The kubelet's part for a container of the lab's pods: restartPolicy Always. The container's
 * process runs under a small POSIX shell (the "shim", one per container, inside the pod's
 * namespace) that waits on it — a blocking wait on its own child, no polling — and, when it
 * exits, counts the restart and starts it again after the kubelet's back-off.
 *
 * Back-off as the kubelet's (pkg/kubelet/kuberuntime, backOff 10 s doubling to 300 s): the
 * first restart comes at once (here after 1 s, the kubelet's sync latency), each further one
 * after 10, 20, 40 … 300 s. The kubelet forgets a back-off after ten minutes without an exit;
 * the lab's runs are shorter, so the shim never resets it.
 *
 * What the shim records, in its status directory (read by status.ts):
 *   shim.pid       its own PID (the container's sandbox, in effect: gone means nothing restarts);
 *   container.pid  the running process's PID, present only while one runs;
 *   restarts       "<restart count> <exit code of the last run>", written when it exits and again
 *                  as it is restarted (the kubelet counts a restart when it starts the container again),
 *                  after the new process's PID is on file: a count above the last one with no PID
 *                  on file means the restarted run has exited too, never that it is about to start.
 *
 * The container is a process group of its own (setsid; a shell without a terminal has no job
 * control to give it one): when its first process exits, what it
 * left (nginx's workers) is killed with it, as a container's PID namespace ends with its PID 1.
 *
 * Teardown ends every process in the lab's namespaces by PID (kernel.ts) with TERM: the shim
 * traps it, passes it on to its child and exits without restarting. Its child may get TERM
 * first; the shim's own TERM, sent in the same loop, arrives within the 1 s before any restart.
 */
import { join } from 'node:path';

export const SHIM_PID = 'shim.pid';
export const CONTAINER_PID = 'container.pid';
export const RESTARTS = 'restarts';

/** The kubelet's first restart latency, then its back-off: 10 s doubling, capped at 300 s. */
export const FIRST_RESTART_S = 1;
export const BACKOFF_INITIAL_S = 10;
export const BACKOFF_MAX_S = 300;

const SCRIPT = `dir=$1; shift
echo $$ > "$dir/${SHIM_PID}.tmp" && mv -f "$dir/${SHIM_PID}.tmp" "$dir/${SHIM_PID}"
child=; stop=; restarts=0; delay=${FIRST_RESTART_S}
trap 'stop=1; [ -z "$child" ] || kill -15 "-$child" 2>/dev/null' TERM INT HUP
reap() { wait "$child"; code=$?; while kill -0 "$child" 2>/dev/null; do wait "$child"; code=$?; done; }
while :; do
  setsid "$@" &
  child=$!
  echo "$child" > "$dir/${CONTAINER_PID}.tmp" && mv -f "$dir/${CONTAINER_PID}.tmp" "$dir/${CONTAINER_PID}"
  [ "$restarts" -eq 0 ] || { echo "$restarts $exited" > "$dir/${RESTARTS}.tmp" && mv -f "$dir/${RESTARTS}.tmp" "$dir/${RESTARTS}"; }
  reap
  exited=$code
  kill -9 "-$child" 2>/dev/null
  rm -f "$dir/${CONTAINER_PID}"
  [ -z "$stop" ] || exit 0
  echo "$restarts $exited" > "$dir/${RESTARTS}.tmp" && mv -f "$dir/${RESTARTS}.tmp" "$dir/${RESTARTS}"
  setsid sleep "$delay" &
  child=$!
  reap
  [ -z "$stop" ] || exit 0
  restarts=$((restarts + 1))
  if [ "$delay" -lt ${BACKOFF_INITIAL_S} ]; then delay=${BACKOFF_INITIAL_S}; else delay=$((delay * 2)); fi
  [ "$delay" -le ${BACKOFF_MAX_S} ] || delay=${BACKOFF_MAX_S}
done`;

/** The argv that runs `argv` as a container under the shim, its status in `statusDir`. */
export function shimArgv(statusDir: string, argv: string[]): string[] {
  return ['sh', '-c', SCRIPT, 'kubelet-shim', statusDir, ...argv];
}

export function shimFiles(statusDir: string) {
  return { shimPid: join(statusDir, SHIM_PID), containerPid: join(statusDir, CONTAINER_PID), restarts: join(statusDir, RESTARTS) };
}
