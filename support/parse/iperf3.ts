/**
 * An iperf3 client's report (`iperf3 -c … -J --get-server-output`, iperf 3.x): where it
 * connected, what it sent, and the receiver's one-second intervals, from the server's own
 * output (`server_output_json` when the server runs with -J, else `server_output_text`, the
 * text `iperf3 -s` prints). Strict: a line of the server's text that is none of iperf3's is an
 * error naming the line. Checked against Debian's iperf 3.12: a measured run, a shaped one and a
 * refused connect (the course's networkstatic/iperf3 image is not checked here).
 */
import { ParseError } from './errors.ts';
import { JsonFields, type JsonObject } from './json.ts';

export interface IperfInterval {
  start: number;
  end: number;
  bytes: number;
  bitsPerSecond: number;
}

export interface IperfReport {
  /** What the client was told to connect to (a name or an address). */
  connectingTo: { host: string; port: number } | undefined;
  /** Where its socket connected: the address after name resolution, before any DNAT. */
  connected: { remoteHost: string; remotePort: number } | undefined;
  /** iperf3's own error (`unable to connect to server: Connection refused`), if the test failed. */
  error: string | undefined;
  /** The receiver's total, as the client's summary reports it. */
  received: { bytes: number; seconds: number; bitsPerSecond: number } | undefined;
  /** The receiver's intervals (server side). */
  receiverIntervals: IperfInterval[];
}

const PARSER = 'parseIperfClientJson';

function object(value: unknown, what: string, text: string): JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ParseError(PARSER, `${what} is not an object`, text);
  return value as JsonObject;
}

export function parseIperfClientJson(text: string): IperfReport {
  let doc: JsonObject;
  try {
    doc = object(JSON.parse(text), 'the report', text);
  } catch (error) {
    if (error instanceof ParseError) throw error;
    throw new ParseError(PARSER, `invalid JSON (${(error as Error).message})`, text);
  }
  const known = ['start', 'intervals', 'end', 'error', 'server_output_text', 'server_output_json'];
  const unknown = Object.keys(doc).filter((key) => !known.includes(key));
  if (unknown.length) throw new ParseError(PARSER, `unknown top-level key(s): ${unknown.join(', ')}`, text);
  const start = object(doc.start, '"start"', text);
  const connected = (new JsonFields(PARSER, start).objects('connected') ?? [])[0];
  const connecting =
    start.connecting_to === undefined ? undefined : new JsonFields(PARSER, object(start.connecting_to, '"connecting_to"', text));
  const end = object(doc.end ?? {}, '"end"', text);
  const received = end.sum_received === undefined ? undefined : new JsonFields(PARSER, object(end.sum_received, '"sum_received"', text));
  const error = doc.error === undefined ? undefined : String(doc.error);
  let receiverIntervals: IperfInterval[] = [];
  if (doc.server_output_json !== undefined)
    receiverIntervals = jsonIntervals(object(doc.server_output_json, '"server_output_json"', text), text);
  else if (doc.server_output_text !== undefined) receiverIntervals = parseIperfServerText(String(doc.server_output_text));
  else if (error === undefined) throw new ParseError(PARSER, 'no server output: run the client with --get-server-output', text);
  return {
    connectingTo: connecting ? { host: connecting.string('host'), port: connecting.number('port') } : undefined,
    connected: connected
      ? {
          remoteHost: new JsonFields(PARSER, connected).string('remote_host'),
          remotePort: new JsonFields(PARSER, connected).number('remote_port'),
        }
      : undefined,
    error,
    received: received
      ? { bytes: received.number('bytes'), seconds: received.number('seconds'), bitsPerSecond: received.number('bits_per_second') }
      : undefined,
    receiverIntervals,
  };
}

function jsonIntervals(server: JsonObject, text: string): IperfInterval[] {
  const intervals = server.intervals;
  if (!Array.isArray(intervals)) throw new ParseError(PARSER, 'server_output_json has no "intervals" array', text);
  return intervals.map((interval, index) => {
    const sum = new JsonFields(
      PARSER,
      object(object(interval, `server interval ${index}`, text).sum, `server interval ${index} "sum"`, text),
    );
    return { start: sum.number('start'), end: sum.number('end'), bytes: sum.number('bytes'), bitsPerSecond: sum.number('bits_per_second') };
  });
}

// iperf3 prints bytes in units of 1024 and bits in units of 1000 (units.c, unit_snprintf).
const BYTE_UNITS: Record<string, number> = { Bytes: 1, KBytes: 1024, MBytes: 1024 ** 2, GBytes: 1024 ** 3, TBytes: 1024 ** 4 };
const BIT_UNITS: Record<string, number> = { 'bits/sec': 1, 'Kbits/sec': 1e3, 'Mbits/sec': 1e6, 'Gbits/sec': 1e9, 'Tbits/sec': 1e12 };

const INTERVAL =
  /^\[\s*(\d+|SUM)\]\s+(\d+\.\d+)-(\d+\.\d+)\s+sec\s+(\d+(?:\.\d+)?)\s+(Bytes|KBytes|MBytes|GBytes|TBytes)\s+(\d+(?:\.\d+)?)\s+((?:[KMGT])?bits\/sec)(?:\s+(\d+))?\s*(receiver|sender)?\s*$/;
const OTHER_LINES = [
  /^-+$/,
  /^Server listening on \d+( \(test #\d+\))?$/,
  /^Accepted connection from \S+, port \d+$/,
  /^\[\s*\d+\] local \S+ port \d+ connected to \S+ port \d+$/,
  /^\[ ID\] Interval\s+Transfer\s+Bitrate(\s+Retr)?$/,
  /^(- )+-?$/,
  /^$/,
];

/** The intervals `iperf3 -s` prints (not its summary lines, which end in `receiver` / `sender`). */
export function parseIperfServerText(text: string): IperfInterval[] {
  const intervals: IperfInterval[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trimEnd();
    const match = INTERVAL.exec(line);
    if (match) {
      const [, , start, end, amount, byteUnit, rate, bitUnit, , role] = match as unknown as string[];
      if (role) return;
      intervals.push({
        start: Number(start),
        end: Number(end),
        bytes: Math.round(Number(amount) * (BYTE_UNITS[byteUnit as string] ?? NaN)),
        bitsPerSecond: Number(rate) * (BIT_UNITS[bitUnit as string] ?? NaN),
      });
      return;
    }
    if (!OTHER_LINES.some((pattern) => pattern.test(line)))
      throw new ParseError('parseIperfServerText', 'not a line iperf3 -s prints', line, index + 1);
  });
  return intervals;
}
