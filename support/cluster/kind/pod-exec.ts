/**
 * Exec in a pod over the Kubernetes API: client-node's `Exec` (a WebSocket speaking the
 * v5/v4 channel protocol: 1 stdout, 2 stderr, 3 status).
 *
 * The exit code comes from the status frame, a V1Status: `Success` is 0; a `Failure` whose
 * details.causes hold `{reason: 'ExitCode', message: '<n>'}` is n; any other Failure (no
 * such container, executable not found, …) is an ExecTransportError — an environment fault,
 * never confused with a command that ran and failed. A stream that closes without a status,
 * or a refused upgrade (pod gone, 403), is one too.
 *
 * A timeout closes the socket and marks the result timedOut (exit code 124). Closing the
 * stream does not end the process in the container (the API server forwards no signal), so
 * probes should bound themselves (`ping -c`, `-W`); background commands are ended by PID
 * (see command.ts).
 */
import { Writable } from 'node:stream';
import { Exec, type KubeConfig, type V1Status } from '@kubernetes/client-node';
import {
  EnvironmentError,
  describeTarget,
  type BackgroundOptions,
  type BackgroundProcess,
  type ExecOptions,
  type ExecResult,
} from '../../domain.ts';
import { runCommand, startBackgroundCommand, type Launched, type Launcher, type OutputSink } from './command.ts';
import { errorText, redact } from '../../redact.ts';

/** The exec transport failed, or the runtime could not run the command at all. */
export class ExecTransportError extends EnvironmentError {
  constructor(
    message: string,
    remedy?: string,
    readonly status?: V1Status,
  ) {
    super(message, remedy);
  }
}

/** The exit code a status frame reports, or the reason it reports none. */
export function exitCodeFromStatus(status: V1Status): { exitCode: number } | { failure: string } {
  if (status.status === 'Success') return { exitCode: 0 };
  const cause = (status.details?.causes ?? []).find((c) => c.reason === 'ExitCode');
  const code = cause?.message !== undefined ? Number.parseInt(cause.message, 10) : Number.NaN;
  if (Number.isInteger(code)) return { exitCode: code };
  return { failure: `${status.reason ?? 'Failure'}: ${status.message ?? 'no message'}` };
}

/** The parts of a `ws` WebSocket this module uses (the package ships no types here). */
interface Socket {
  on(event: 'close', listener: (code: number) => void): void;
  on(event: 'error', listener: (err: Error) => void): void;
  terminate(): void;
  readonly protocol: string;
}

export interface PodRef {
  namespace: string;
  name: string;
  /** Defaults to the pod's first container (resolved by `PodExec`). */
  container?: string;
}

/** A Launcher that runs argv in one container of one pod. */
export function podLauncher(kc: KubeConfig, pod: PodRef & { container: string }): Launcher {
  const where = describeTarget({ kind: 'pod', ...pod });
  return async (argv: string[], sink: OutputSink): Promise<Launched> => {
    let settle!: { resolve(code: number): void; reject(err: Error): void };
    const exit = new Promise<number>((resolve, reject) => {
      settle = { resolve, reject };
    });
    let status: V1Status | undefined;
    let aborted = false;

    const stream = (write: (chunk: Buffer) => void) =>
      new Writable({
        write(chunk: Buffer, _enc, done) {
          write(chunk);
          done();
        },
      });

    let socket: Socket;
    try {
      socket = (await new Exec(kc).exec(
        pod.namespace,
        pod.name,
        pod.container,
        argv,
        stream((c) => sink.stdout(c)),
        stream((c) => sink.stderr(c)),
        null,
        false,
        (s: V1Status) => {
          status = s;
          const outcome = exitCodeFromStatus(s);
          if ('exitCode' in outcome) settle.resolve(outcome.exitCode);
          else
            settle.reject(
              new ExecTransportError(
                `exec of ${JSON.stringify(argv)} in ${where} failed: ${redact(outcome.failure)}`,
                'check that the command exists in the container image',
                s,
              ),
            );
        },
      )) as unknown as Socket;
    } catch (err) {
      throw new ExecTransportError(
        `cannot exec in ${where}: ${errorText(err)}`,
        'check that the pod exists and is Running (`kubectl get pod -n ' +
          pod.namespace +
          ' ' +
          pod.name +
          '`) and that your context may create pods/exec',
      );
    }
    socket.on('error', (err) => {
      if (!status) settle.reject(new ExecTransportError(`exec stream to ${where} failed: ${errorText(err)}`));
    });
    socket.on('close', (code) => {
      if (status) return;
      settle.reject(
        new ExecTransportError(
          aborted ? `exec in ${where} was cut off` : `exec stream to ${where} closed (code ${code}) without reporting an exit status`,
          'check the pod and the API server (the container may have been restarted)',
        ),
      );
    });
    return {
      exit,
      abort: () => {
        aborted = true;
        socket.terminate();
      },
    };
  };
}

/**
 * Exec in pods: resolves each pod's first container once, runs commands to completion or in
 * the background (see command.ts for how background commands are stopped).
 */
export class PodExec {
  private readonly containers = new Map<string, string>();

  constructor(
    private readonly kc: KubeConfig,
    /** Reads the pod's first container name (KindCluster passes a CoreV1Api call). */
    private readonly firstContainer: (namespace: string, name: string) => Promise<string>,
  ) {}

  private async launcherFor(pod: PodRef): Promise<{ where: string; launch: Launcher }> {
    let container = pod.container;
    if (!container) {
      const key = `${pod.namespace}/${pod.name}`;
      container = this.containers.get(key) ?? (await this.firstContainer(pod.namespace, pod.name));
      this.containers.set(key, container);
    }
    return {
      where: describeTarget({ kind: 'pod', namespace: pod.namespace, name: pod.name, container: pod.container }),
      launch: podLauncher(this.kc, { ...pod, container }),
    };
  }

  async exec(pod: PodRef, argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
    const { where, launch } = await this.launcherFor(pod);
    return runCommand(where, launch, argv, options.timeoutMs);
  }

  async startBackground(pod: PodRef, argv: string[], options: BackgroundOptions): Promise<BackgroundProcess> {
    const transport = await this.launcherFor(pod);
    return startBackgroundCommand(transport, argv, options);
  }
}
