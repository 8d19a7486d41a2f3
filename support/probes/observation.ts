import type { ExecResult } from '../domain.ts';

/** A file a probe brings back besides command outputs (a capture's packets as a .pcap). */
export interface EvidenceFile {
  fileName: string;
  mediaType: string;
  body: string | Buffer;
}

/** What a probe saw: the parsed value, the commands it took to see it, and any files it brought back. */
export interface Observation<T> {
  value: T;
  evidence: ExecResult[];
  files?: EvidenceFile[];
}
