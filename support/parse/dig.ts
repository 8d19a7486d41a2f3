/**
 * dig's default output (BIND 9.18 and the bind-tools of the multitool image): the header
 * (status, flags, section counts), the question, the answer, authority and additional
 * sections, and the server that answered. A dig that reached no server says so instead of a
 * header ("no servers could be reached"), which is data here, not a parse error.
 *
 * Checked against dig 9.18.49 (Debian) asking unbound over IPv4 and IPv6 (`@::1`), UDP and
 * `+tcp`, with the project's `+time=2 +tries=1 [+search]` and the neighbouring `+multiline`
 * (records continued in parentheses, with `; serial` comments: joined into one record),
 * `+nocmd`, A, AAAA, SRV, SOA and TXT answers. Outputs without dig's comments (`+short`,
 * `+noall +answer`, `+nocomments`) carry no status, so they are refused, as is any line that
 * is none of dig's (a record without a TTL from `+nottlid`, for one).
 */
import { ParseError } from './errors.ts';

export interface DigRecord {
  name: string;
  ttl: number;
  class: string;
  type: string;
  /** The record's data as dig prints it (`10.96.0.10`, `0 33 6379 redis-0.redis-headless…`). */
  data: string;
}

export interface DigResult {
  /** False when dig got no answer at all (timed out, refused): then nothing below is set. */
  answered: boolean;
  /** NOERROR, NXDOMAIN, SERVFAIL, REFUSED, … */
  status: string | undefined;
  flags: string[];
  counts: { query: number; answer: number; authority: number; additional: number } | undefined;
  question: { name: string; class: string; type: string } | undefined;
  answers: DigRecord[];
  authority: DigRecord[];
  additional: DigRecord[];
  /** `SERVER: 10.96.0.10#53(10.96.0.10)`: who answered. */
  server: { address: string; port: number } | undefined;
  /** dig's own complaints (`;; communications error to …: timed out`, `;; no servers could be reached`). */
  errors: string[];
}

/** dig's other comment lines: the command echoed, progress and warnings. */
const DIG_NOTES = [
  /^; <<>> DiG \S+ <<>> /,
  /^; \(\d+ servers? found\)$/,
  /^;; global options: /,
  /^;; Got answer:$/,
  /^;; WARNING: /,
  /^;; You are currently testing what happens when an mDNS query is leaked to DNS$/,
  /^;; Truncated, retrying in TCP mode\.$/,
  /^;; BADCOOKIE, retrying\.$/,
  /^;; Query time: \d+ msec$/,
  /^;; WHEN: /,
  /^;; MSG SIZE {2}rcvd: \d+$/,
];

const SECTION = /^;; (QUESTION|ANSWER|AUTHORITY|ADDITIONAL) SECTION:$/;
const RECORD = /^(\S+)\s+(\d+)\s+(IN|CH|HS)\s+([A-Z0-9]+)\s+(.*)$/;

function parseRecord(line: string, lineNumber: number, input: string): DigRecord {
  const match = RECORD.exec(line);
  if (!match) throw new ParseError('parseDig', `a record line that is not "<name> <ttl> <class> <type> <data>"`, line || input, lineNumber);
  return {
    name: match[1] as string,
    ttl: Number(match[2]),
    class: match[3] as string,
    type: match[4] as string,
    data: (match[5] as string).trim(),
  };
}

export function parseDig(text: string): DigResult {
  const result: DigResult = {
    answered: false,
    status: undefined,
    flags: [],
    counts: undefined,
    question: undefined,
    answers: [],
    authority: [],
    additional: [],
    server: undefined,
    errors: [],
  };
  // The course prints dig's output cut down to its sections; the banner is not required.
  if (!/<<>> DiG|->>HEADER<<-|^;; [A-Z]+ SECTION:$/m.test(text))
    throw new ParseError('parseDig', 'not the output of dig (no banner, header or section)', text);
  let section: string | undefined;
  // A +multiline record: its first line and the lines up to the closing parenthesis.
  let pending: { text: string; lineNumber: number; section: string } | undefined;
  const addRecord = (line: string, lineNumber: number, into: string) => {
    const record = parseRecord(line, lineNumber, text);
    (into === 'ANSWER' ? result.answers : into === 'AUTHORITY' ? result.authority : result.additional).push(record);
  };
  text.split('\n').forEach((raw, index) => {
    const line = raw.trimEnd();
    const lineNumber = index + 1;
    const fail = (reason: string): never => {
      throw new ParseError('parseDig', reason, line, lineNumber);
    };
    if (pending) {
      // Inside the parentheses, `;` starts dig's explanatory comment.
      const body = line.replace(/\s*;.*$/, '').trim();
      pending.text += ` ${body}`;
      if (body.endsWith(')')) {
        addRecord(pending.text.replace(/[()]/g, ' ').replace(/\s+/g, ' ').trim(), pending.lineNumber, pending.section);
        pending = undefined;
      }
      return;
    }
    if (line === '') {
      section = undefined;
      return;
    }
    const header = /^;; ->>HEADER<<- opcode: \S+, status: (\S+), id: \d+$/.exec(line);
    if (header) {
      // With +search (and +showsearch) only the last message counts: start afresh.
      Object.assign(result, { answered: true, status: header[1], answers: [], authority: [], additional: [], question: undefined });
      return;
    }
    const flags = /^;; flags: ([^;]*); QUERY: (\d+), ANSWER: (\d+), AUTHORITY: (\d+), ADDITIONAL: (\d+)$/.exec(line);
    if (flags) {
      result.flags = (flags[1] as string).trim().split(/\s+/).filter(Boolean);
      result.counts = { query: Number(flags[2]), answer: Number(flags[3]), authority: Number(flags[4]), additional: Number(flags[5]) };
      return;
    }
    const sectionStart = SECTION.exec(line);
    if (sectionStart) {
      section = sectionStart[1];
      result.answered = true;
      return;
    }
    if (line === ';; OPT PSEUDOSECTION:') {
      section = 'OPT';
      return;
    }
    const server = /^;; SERVER: ([^#]+)#(\d+)\(\S*\)(?: \((UDP|TCP)\))?$/.exec(line);
    if (server) {
      result.server = { address: server[1] as string, port: Number(server[2]) };
      return;
    }
    if (/^;; (communications error|connection timed out|no servers could be reached|.*failed)/.test(line)) {
      result.errors.push(line.slice(3));
      return;
    }
    if (DIG_NOTES.some((note) => note.test(line))) return;
    if (section === 'OPT') {
      if (!/^; [A-Z-]+:/.test(line)) fail('an OPT pseudosection line that is not "; <OPTION>: …"');
      return;
    }
    if (section === 'QUESTION') {
      const question = /^;(\S+)\s+(\S+)\s+(\S+)$/.exec(line);
      if (!question) return fail('a question line that is not ";<name> <class> <type>"');
      result.question = { name: question[1] as string, class: question[2] as string, type: question[3] as string };
      return;
    }
    if (section === 'ANSWER' || section === 'AUTHORITY' || section === 'ADDITIONAL') {
      if (/\($/.test(line) && !/"[^"]*\($/.test(line)) pending = { text: line, lineNumber, section };
      else addRecord(line, lineNumber, section);
      return;
    }
    fail("not a line of dig's default output (a record outside its section: +nocomments? +noall?)");
  });
  if (pending) throw new ParseError('parseDig', 'a +multiline record without its closing parenthesis', pending.text, pending.lineNumber);
  if (result.answered && result.counts && result.counts.answer !== result.answers.length) {
    throw new ParseError(
      'parseDig',
      `the header counts ${result.counts.answer} answers but the answer section holds ${result.answers.length}`,
      text,
    );
  }
  return result;
}

/** The A records' addresses of an answer, in the order given. */
export function addressesOf(result: DigResult): string[] {
  return result.answers.filter((record) => record.type === 'A').map((record) => record.data);
}

export interface SrvData {
  priority: number;
  weight: number;
  port: number;
  target: string;
}

export function parseSrvData(data: string): SrvData {
  const match = /^(\d+) (\d+) (\d+) (\S+)$/.exec(data);
  if (!match) throw new ParseError('parseSrvData', 'SRV data that is not "<priority> <weight> <port> <target>"', data);
  return { priority: Number(match[1]), weight: Number(match[2]), port: Number(match[3]), target: match[4] as string };
}
