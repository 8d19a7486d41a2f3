/**
 * A packet capture that keeps its packets: tcpdump writes a pcap file where it runs
 * (`-w`), and once stopped the file is read twice through the port: as text (`tcpdump -r`,
 * for the parser and the report) and as bytes (the port's takeScratchFile, attached as a .pcap
 * file that Wireshark or `tcpdump -r` opens), which removes it.
 */
import { randomBytes } from 'node:crypto';
import { EnvironmentError, type BackgroundProcess, type ExecResult, type ExecTarget } from '../domain.ts';
import { type Cluster } from '../cluster/cluster.ts';
import type { EvidenceFile, Observation } from './observation.ts';
import { runProbe } from './commands.ts';
import { checkedPcap } from '../parse/pcap.ts';
import { parseTcpdumpSummary } from '../parse/tcpdump.ts';
import { parseTcpdump, type Packet } from '../parse/tcpdump.ts';

const LISTENING = /listening on/;
export const PCAP_MEDIA_TYPE = 'application/vnd.tcpdump.pcap';

export interface PcapCapture<P = Packet[]> {
  /** Stops tcpdump and reads what it captured; the file is removed whatever happens. */
  stop(): Promise<Observation<P>>;
}

export interface PcapOptions {
  /** The interface to listen on (eth0 unless told). */
  iface?: string;
  /**
   * How many bytes of each packet to keep (`-s`; tcpdump's default is 262144). A smaller one
   * lets a busy capture keep up: in immediate mode libpcap's ring holds buffer size / snap
   * length frames, only about eight at the defaults, and the kernel drops what does not fit.
   */
  snapLength?: number;
}

/** Starts tcpdump on an interface of `on` (eth0 by default) and resolves once it is listening. `label` names the attached file. */
export async function startPcap(
  cluster: Cluster,
  on: ExecTarget,
  filter: string[],
  label: string,
  options: PcapOptions = {},
): Promise<PcapCapture> {
  const raw = await startRawPcap(cluster, on, filter, label, options);
  return {
    async stop() {
      const seen = await raw.stop();
      return { ...seen, value: parseTcpdump(seen.value) };
    },
  };
}

/**
 * The same capture, read back with extra `tcpdump -r` options (`-vv` prints every header,
 * the encapsulated ones too) and returned as text, for a parser of the caller's choice.
 */
export async function startRawPcap(
  cluster: Cluster,
  on: ExecTarget,
  filter: string[],
  label: string,
  options: PcapOptions & { readOptions?: string[] } = {},
): Promise<PcapCapture<string>> {
  on = withTcpdump(on);
  const file = `${cluster.captureFilePrefix}${randomBytes(6).toString('hex')}.pcap`;
  // --immediate-mode and -U: every packet is handed over and written as it comes, so none waits in a
  // buffer (and is lost) when the capture stops.
  // -Z root: write as root, so a tcpdump that drops privileges can still create the file in /tmp.
  const snap = options.snapLength === undefined ? [] : ['-s', String(options.snapLength)];
  const argv = ['tcpdump', '-n', '--immediate-mode', '-U', '-Z', 'root', ...snap, '-i', options.iface ?? 'eth0', '-w', file, ...filter];
  let tcpdump: BackgroundProcess;
  try {
    tcpdump = await cluster.startBackground(on, argv, { readyPattern: LISTENING, readyTimeoutMs: 10_000, timeoutMs: 60_000 });
  } catch (error) {
    await remove(cluster, on, file);
    throw error;
  }
  return {
    async stop() {
      let taken = false;
      try {
        const captured = checkedComplete(await tcpdump.stop());
        const read = await runProbe(cluster, on, ['tcpdump', '-n', ...(options.readOptions ?? []), '-r', file], (text) => text);
        taken = true;
        const pcap: EvidenceFile = {
          fileName: `capture-${safe(label)}.pcap`,
          mediaType: PCAP_MEDIA_TYPE,
          body: await pcapBytes(cluster, on, file),
        };
        return { value: read.value, evidence: [captured, ...read.evidence], files: [pcap] };
      } finally {
        if (!taken) await remove(cluster, on, file);
      }
    },
  };
}

/**
 * A capture "on a node" or "on the router" listens on its network with the tools image's
 * tcpdump: a real node image has none (kindest/node: kind's images/base/Dockerfile installs no
 * tcpdump; the course itself installs it only before lesson 18), nor has the course's router
 * image (frrouting/frr). The file is written, read and removed there.
 */
function withTcpdump(on: ExecTarget): ExecTarget {
  return on.kind === 'node' || on.kind === 'router' ? { ...on, tools: true } : on;
}

async function pcapBytes(cluster: Cluster, on: ExecTarget, file: string): Promise<Buffer> {
  const bytes = await cluster.takeScratchFile(on, file);
  try {
    return checkedPcap(bytes);
  } catch (error) {
    throw new EnvironmentError(`the capture file ${file} is not what tcpdump writes: ${(error as Error).message}`);
  }
}

/**
 * The stopped tcpdump's record, once its closing counts say it kept every packet its filter
 * matched. Packets the kernel dropped because tcpdump fell behind (its ring was full) are in no
 * file: a claim about what did not cross the wire (no SNAT, no plaintext) would read the gap as
 * an absence, so an incomplete capture is an environment error, never evidence.
 */
export function checkedComplete(stopped: ExecResult): ExecResult {
  let dropped: number;
  try {
    dropped = parseTcpdumpSummary(stopped.stderr).droppedByKernel;
  } catch (error) {
    throw new EnvironmentError(`the capture on ${stopped.where} did not end with tcpdump's counts: ${(error as Error).message}`);
  }
  if (dropped > 0)
    throw new EnvironmentError(
      `the capture on ${stopped.where} lost ${dropped} packet(s) its filter matched (dropped by kernel): what it kept is incomplete, so no verdict is drawn from it`,
      'the machine was too busy for tcpdump to keep up: run the scenario again, or fewer runs side by side',
    );
  return stopped;
}

/** Removes the capture's file (a capture that failed), if it is there. */
async function remove(cluster: Cluster, on: ExecTarget, file: string): Promise<void> {
  await cluster.takeScratchFile(on, file).catch(() => undefined);
}

function safe(label: string): string {
  return label.replace(/[^\w.-]+/g, '_').slice(0, 60);
}
