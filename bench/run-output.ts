/** What `npm run e2e` prints about its labs, read back for the benchmark (support/run/session.ts writes it). */
export interface LabLine {
  lab: string;
  topology: string;
  /** The lab's bring-up, as the run timed it. */
  upMs: number;
  /** Of that, the wait for BGP to settle (sessions, End-of-RIB, routes installed); only BGP topologies. */
  bgpMs: number | undefined;
}

const LAB_LINE =
  /^embedded lab "([^"]+)" \(topology ([^)]+)\) brought up in (\d+) ms \([^;)]*(?:; BGP settled in (\d+(?:\.\d+)?) ms of it)?\)/;

export function labLines(output: string): LabLine[] {
  return output.split('\n').flatMap((line) => {
    const match = LAB_LINE.exec(line.trim());
    if (!match) return [];
    const [, lab = '', topology = '', up = '0', bgp] = match;
    return [{ lab, topology, upMs: Number(up), bgpMs: bgp === undefined ? undefined : Number(bgp) }];
  });
}
