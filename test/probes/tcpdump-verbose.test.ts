import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';
import { layers, parseTcpdumpVerbose } from '../../support/parse/tcpdump-verbose.ts';
import { ParseError } from '../../support/parse/errors.ts';
import { fixture as output } from './helpers.ts';

const fixture = output;

test('VXLAN between subnets: the outer UDP header, the VNI, and the pods’ ICMP inside; plain ICMP within a subnet', () => {
  const packets = parseTcpdumpVerbose(output('netns-overlay-tcpdump-vv-eth1.txt'));
  assert.equal(packets.length, 4);
  const [request, , native] = packets as [any, any, any];
  assert.deepEqual(
    {
      src: request.src,
      dst: request.dst,
      dstPort: request.dstPort,
      vni: request.vxlan?.vni,
      length: request.ip.length,
      proto: request.ip.proto,
    },
    { src: '10.10.10.11', dst: '10.10.20.20', dstPort: 4789, vni: 4096, length: 134, proto: 'UDP' },
  );
  assert.deepEqual(
    {
      src: request.inner.src,
      dst: request.inner.dst,
      icmp: request.inner.icmpType,
      df: request.inner.ip.df,
      length: request.inner.ip.length,
    },
    { src: '192.168.39.1', dst: '192.168.30.65', icmp: 'echo request', df: true, length: 84 },
  );
  assert.equal(layers(request).length, 2);
  assert.equal(native.vxlan, undefined);
  assert.equal(native.inner, undefined);
  assert.equal(native.icmpType, 'echo request');
});

test('the router’s ICMP "fragmentation needed" (lesson 18): its MTU and the quoted TCP segment with DF', () => {
  const [icmp] = parseTcpdumpVerbose(output('course-18-tcpdump-frag-needed.txt')) as [any];
  assert.equal(icmp.iface, 'eth1');
  assert.equal(icmp.src, '172.20.20.2');
  assert.equal(icmp.nextHopMtu, 1500);
  assert.deepEqual(
    { src: icmp.inner.src, srcPort: icmp.inner.srcPort, df: icmp.inner.ip.df, length: icmp.inner.ip.length, flags: icmp.inner.tcpFlags },
    { src: '10.10.10.10', srcPort: 6443, df: true, length: 1664, flags: 'P.' },
  );
});

test('a header without its addresses is refused', () => {
  assert.throws(
    () =>
      parseTcpdumpVerbose(
        '10:00:00.000000 IP (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6), length 60)\n10:00:00.000001 IP (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6), length 60)\n',
      ),
    ParseError,
  );
});

describe('tcpdump -vv with IPv6 (issue 24)', () => {
  it('an IPv6 packet is a packet of its own, its header read (hop limit, next header, length), beside IPv4 ones', () => {
    const packets = parseTcpdumpVerbose(fixture('netns-tcpdump-vv-ipv6-ipv4-dns-icmp.txt'));
    assert.equal(packets.length, 12);
    assert.deepEqual(
      packets.slice(0, 8).map((packet) => [packet.ip.version, packet.ip.proto, packet.src, packet.dstPort]),
      [
        [6, 'UDP', '::1', 53],
        [6, 'UDP', '::1', 50215],
        [4, 'UDP', '127.0.0.1', 53],
        [4, 'UDP', '127.0.0.1', 39853],
        [6, 'ICMPv6', '::1', undefined],
        [6, 'ICMPv6', '::1', undefined],
        [4, 'ICMP', '127.0.0.1', undefined],
        [4, 'ICMP', '127.0.0.1', undefined],
      ],
    );
    assert.deepEqual(packets[0]?.ip, { version: 6, ttl: 64, df: false, proto: 'UDP', length: 128 });
    assert.equal(packets[6]?.icmpType, 'echo request');
    assert.equal(packets[6]?.ip.df, true);
    assert.deepEqual(
      packets.slice(8).map((packet) => [packet.ip.version, packet.tcpFlags, packet.mss]),
      [
        [4, 'S', 1220],
        [4, 'S.', 65495],
        [4, '.', undefined],
        [4, 'P.', undefined],
      ],
    );
  });

  it('refuses a timestamped packet it does not read instead of folding it into the one before', () => {
    const text = `${fixture('netns-tcpdump-vv-ipv6-ipv4-dns-icmp.txt')}11:16:57.000000 ARP, Ethernet (len 6), IPv4 (len 4), Request who-has 10.0.0.1 tell 10.0.0.2, length 28\n`;
    assert.throws(() => parseTcpdumpVerbose(text), /neither IP nor IPv6.*line 21/);
  });
});

// tcpdump 4.99.3 here: `tcpdump -i any -n -vv` prints the first two lines on stderr; `-i eth9` the error.
test("tcpdump's own lines about the capture are not packets, and its error is not a capture with none", () => {
  const packet =
    '10:46:23.538603 IP (tos 0x0, ttl 64, id 527, offset 0, flags [DF], proto ICMP (1), length 84)\n    127.0.0.1 > 127.0.0.1: ICMP echo request, id 28590, seq 1, length 64\n';
  const started =
    'tcpdump: data link type LINUX_SLL2\ntcpdump: listening on any, link-type LINUX_SLL2 (Linux cooked v2), snapshot length 262144 bytes\n';
  assert.equal(parseTcpdumpVerbose(`${started}${packet}1 packet captured\n`).length, 1);
  assert.throws(() => parseTcpdumpVerbose('tcpdump: eth9: No such device exists\n(No such device exists)\n'), /line 1/);
});

test('an endpoint that is not an address (a capture without -n prints names) is refused, not taken as one', () => {
  const named =
    '10:46:23.538603 IP (tos 0x0, ttl 64, id 527, offset 0, flags [DF], proto ICMP (1), length 84)\n    localhost > localhost: ICMP echo request, id 28590, seq 1, length 64\n';
  assert.throws(() => parseTcpdumpVerbose(named), /"localhost" is not an address/);
});
