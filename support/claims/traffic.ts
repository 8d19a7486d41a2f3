/** Claims about traffic between pods: answered pings, hop counts, what a capture saw. */
import { list, type Verdict, verdict } from '../evidence.ts';
import type { PodInfo } from '../domain.ts';
import { describePod } from '../subjects.ts';
import type { CaptureSeen, PingSeen } from './traffic-actions.ts';

export function everyRequestAnswered(ping: PingSeen): Verdict {
  const result = ping.observation.value;
  const answered = new Set(result.replies.map((reply) => reply.seq)).size;
  return verdict(
    answered === ping.count,
    `every one of ${ping.count} echo requests from ${describePod(ping.from)} to ${describePod(ping.to)} to be answered`,
    `${answered} answered${result.errors.length ? `; ${result.errors.join('; ')}` : ''}`,
    ping.observation.evidence,
  );
}

export function everyReplyHasTtl(ping: PingSeen, ttl: number): Verdict {
  const ttls = ping.observation.value.replies.map((reply) => reply.ttl);
  return verdict(
    ttls.length > 0 && ttls.every((seen) => seen === ttl),
    `every reply from ${describePod(ping.to)} to carry TTL ${ttl}`,
    ttls.length ? list(ttls) : 'no replies',
    ping.observation.evidence,
  );
}

function icmp(capture: CaptureSeen, type: 'echo request' | 'echo reply') {
  return capture.observation.value.packets.filter((packet) => packet.proto === 'ICMP' && packet.icmpType === type);
}

/** Requests arrive from the source's own address; at least as many as were sent (the positive control). */
export function requestsFromSourceIP(capture: CaptureSeen, source: PodInfo): Verdict {
  const requests = icmp(capture, 'echo request').filter((packet) => packet.dst === capture.on.ip);
  const sources = requests.map((packet) => packet.src);
  return verdict(
    requests.length >= capture.ping.count && sources.every((src) => src === source.ip),
    `the capture on ${describePod(capture.on)} to show ${capture.ping.count} echo requests, every one from ${describePod(source)} itself (no NAT)`,
    requests.length ? `${requests.length} requests from ${list([...new Set(sources.map(String))])}` : 'no echo requests in the capture',
    capture.observation.evidence,
  );
}

export function repliesToSourceIP(capture: CaptureSeen, source: PodInfo): Verdict {
  const replies = icmp(capture, 'echo reply').filter((packet) => packet.src === capture.on.ip);
  const destinations = replies.map((packet) => packet.dst);
  return verdict(
    replies.length >= capture.ping.count && destinations.every((dst) => dst === source.ip),
    `the capture on ${describePod(capture.on)} to show its echo replies going to ${describePod(source)} itself`,
    replies.length ? `${replies.length} replies to ${list([...new Set(destinations.map(String))])}` : 'no echo replies in the capture',
    capture.observation.evidence,
  );
}
