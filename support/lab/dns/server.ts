/**
 * The lab's CoreDNS: one process per coredns pod, run inside the pod's network namespace,
 * listening on port 53 (UDP and TCP) of every address, as `.:53` does.
 *
 * CoreDNS is not packaged for Debian, so the lab serves its kubernetes plugin's answers
 * (records.ts) with dns-packet, a kept DNS wire-format library, over Node's dgram and net:
 * the answers come from the lab's model (its state file, re-read when it changes, as the
 * plugin's informers follow the API), and every other name is forwarded to the first
 * nameserver of the pod's /etc/resolv.conf (`forward . /etc/resolv.conf`; a coredns pod has
 * dnsPolicy Default, so that is its node's upstream). dnsmasq was the other candidate; it
 * cannot give SRV weights, the SOA on NXDOMAIN, or follow the model without a restart.
 *
 * Usage: node --import tsx support/lab/dns/server.ts <lab name> <query log file> [<Corefile error file>]
 */
import { createSocket, type RemoteInfo } from 'node:dgram';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import * as packet from 'dns-packet';
import type { Answer, DecodedPacket, Packet } from 'dns-packet';
import { answerClusterQuestion, isClusterName, type ClusterDnsView } from './records.ts';
import { loadClusterView } from './view.ts';

const [labName, logFile, corefileError] = process.argv.slice(2);
if (!labName || !logFile) {
  process.stderr.write('usage: server.ts <lab name> <query log file> [<file holding a Corefile error>]\n');
  process.exit(2);
}
// A Corefile CoreDNS cannot load: it says why and exits at start, and so does every restart.
if (corefileError && existsSync(corefileError)) {
  process.stderr.write(readFileSync(corefileError, 'utf8'));
  process.exit(1);
}

// Shorter than the 2 s a probe's dig waits, so that a dead upstream shows as SERVFAIL, not as silence.
const FORWARD_TIMEOUT_MS = 1_000;

function upstreamServer(): string | undefined {
  const text = readFileSync('/etc/resolv.conf', 'utf8');
  return /^nameserver\s+(\S+)/m.exec(text)?.[1];
}

function log(line: string): void {
  appendFileSync(logFile as string, `${new Date().toISOString()} ${line}\n`);
}

const RCODES = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;

function optFrom(query: DecodedPacket): Answer[] {
  return query.additionals?.some((record) => record.type === 'OPT')
    ? [
        {
          type: 'OPT',
          name: '.',
          udpPayloadSize: 1232,
          extendedRcode: 0,
          ednsVersion: 0,
          flags: 0,
          flag_do: false,
          options: [],
        } as unknown as Answer,
      ]
    : [];
}

function reply(
  query: DecodedPacket,
  rcode: keyof typeof RCODES,
  parts: { answers?: Answer[]; authorities?: Answer[]; additionals?: Answer[] } = {},
): Buffer {
  const recursionDesired = (query.flags ?? 0) & packet.RECURSION_DESIRED;
  const response: Packet = {
    id: query.id,
    type: 'response',
    // The kubernetes plugin answers authoritatively and offers no recursion (dig warns).
    flags: packet.AUTHORITATIVE_ANSWER | recursionDesired | RCODES[rcode],
    questions: query.questions,
    answers: parts.answers ?? [],
    authorities: parts.authorities ?? [],
    additionals: [...(parts.additionals ?? []), ...optFrom(query)],
  };
  return packet.encode(response);
}

/** The upstream's answer, byte for byte (the `forward` plugin relays it); SERVFAIL when it does not answer. */
function forward(raw: Buffer, query: DecodedPacket): Promise<Buffer> {
  const server = upstreamServer();
  if (!server) return Promise.resolve(reply(query, 'SERVFAIL'));
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => done(reply(query, 'SERVFAIL')), FORWARD_TIMEOUT_MS);
    const done = (buffer: Buffer) => {
      clearTimeout(timer);
      socket.close();
      resolve(buffer);
    };
    socket.on('message', (message) => done(message));
    socket.on('error', () => done(reply(query, 'SERVFAIL')));
    socket.send(raw, 53, server);
  });
}

let view: ClusterDnsView | undefined;

async function answer(raw: Buffer, peer: string): Promise<Buffer | undefined> {
  let query: DecodedPacket;
  try {
    query = packet.decode(raw);
  } catch {
    return undefined; // not DNS: dropped, as CoreDNS drops what it cannot parse
  }
  const question = query.questions?.[0];
  if (!question) return reply(query, 'REFUSED');
  if (!isClusterName(question.name)) {
    log(`${peer} ${question.type} ${question.name} forwarded to ${upstreamServer() ?? 'nobody'}`);
    return forward(raw, query);
  }
  try {
    view = loadClusterView(labName as string, view);
  } catch (error) {
    log(`${peer} ${question.type} ${question.name} SERVFAIL: ${(error as Error).message}`);
    return reply(query, 'SERVFAIL');
  }
  const result = answerClusterQuestion(view, question.name, question.type);
  log(
    `${peer} ${question.type} ${question.name} ${result.rcode} ${result.answers.map((record) => JSON.stringify(record.type === 'OPT' ? '' : (record as { data: unknown }).data)).join(' ')}`,
  );
  return reply(query, result.rcode, result);
}

const udp = createSocket('udp4');
udp.on('message', (message: Buffer, remote: RemoteInfo) => {
  void answer(message, `${remote.address}:${remote.port}/udp`).then((response) => {
    if (response) udp.send(response, remote.port, remote.address);
  });
});

function serveTcp(socket: Socket): void {
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
      const length = pending.readUInt16BE(0);
      const message = pending.subarray(2, 2 + length);
      pending = pending.subarray(2 + length);
      void answer(message, `${socket.remoteAddress}:${socket.remotePort}/tcp`).then((response) => {
        if (!response || socket.destroyed) return;
        const prefix = Buffer.alloc(2);
        prefix.writeUInt16BE(response.length);
        socket.write(Buffer.concat([prefix, response]));
      });
    }
  });
  socket.on('error', () => socket.destroy());
}

const tcp = createServer(serveTcp);
let listening = 0;
const ready = () => {
  if (++listening === 2) {
    log(`listening on :53 (udp, tcp) for lab ${labName}, upstream ${upstreamServer() ?? 'none'}`);
    process.stdout.write('listening\n');
  }
};
udp.bind(53, '0.0.0.0', ready);
tcp.listen(53, '0.0.0.0', ready);
process.on('SIGTERM', () => process.exit(0));
