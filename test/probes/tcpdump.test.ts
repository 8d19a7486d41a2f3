import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isListening, parseTcpdump, parseTcpdumpSummary, type Packet } from '../../support/parse/tcpdump.ts';
import { assertParseError, fixture } from './helpers.ts';

const echo = (packets: Packet[], type: string) => packets.filter((p) => p.icmpType === `echo ${type}`);

describe('parseTcpdump on the course outputs (lesson 03, stdout and stderr together)', () => {
  it('reads the same-node capture: requests from the source pod IP, replies to it', () => {
    const packets = parseTcpdump(fixture('tcpdump-same-node.txt'));
    assert.equal(packets.length, 8);
    assert.deepEqual(packets[0], {
      time: '00:29:47.987595',
      network: 'IP',
      proto: 'ICMP',
      src: '192.168.93.201',
      dst: '192.168.93.202',
      icmpType: 'echo request',
      id: 134,
      seq: 42,
      length: 64,
      raw: '00:29:47.987595 IP 192.168.93.201 > 192.168.93.202: ICMP echo request, id 134, seq 42, length 64',
    });
    assert.ok(echo(packets, 'request').every((p) => p.src === '192.168.93.201'));
    assert.ok(echo(packets, 'reply').every((p) => p.dst === '192.168.93.201'));
    assert.deepEqual([...new Set(packets.map((p) => p.id))], [134, 131]);
  });

  it('reads the cross-node capture as printed, source 192.168.93.201 unchanged', () => {
    const packets = parseTcpdump(fixture('tcpdump-cross-node.txt'));
    assert.equal(packets.length, 6);
    assert.ok(echo(packets, 'request').every((p) => p.src === '192.168.93.201' && p.dst === '192.168.112.197'));
    // The course output pairs reply seq 2 with a second request seq 1: kept as printed.
    assert.deepEqual(
      echo(packets, 'request').map((p) => p.seq),
      [1, 1, 3],
    );
    assert.deepEqual(
      echo(packets, 'reply').map((p) => p.seq),
      [1, 2, 3],
    );
  });
});

describe('parseTcpdump on captures from the netns lab', () => {
  it('reads ICMP and ARP (proxy ARP for 169.254.1.1 answered with ee:ee:ee:ee:ee:ee)', () => {
    const packets = parseTcpdump(fixture('netns-tcpdump-cross-node.txt'));
    assert.deepEqual(
      packets.map((p) => p.proto),
      ['ICMP', 'other', 'other', 'ICMP', 'ICMP', 'ICMP'],
    );
    assert.deepEqual(packets[1], {
      time: '02:07:46.461935',
      network: 'ARP',
      proto: 'other',
      length: 28,
      raw: '02:07:46.461935 ARP, Request who-has 169.254.1.1 tell 192.168.20.65, length 28',
    });
    assert.ok(echo(packets, 'request').every((p) => p.src === '192.168.10.1'));
  });

  it('reads -e link headers: every frame into the pod comes from the node MAC ee:ee:ee:ee:ee:ee', () => {
    const packets = parseTcpdump(fixture('netns-tcpdump-e.txt'));
    assert.equal(packets.length, 8);
    assert.deepEqual(packets[0]?.link, { srcMac: 'ee:ee:ee:ee:ee:ee', dstMac: 'fe:4f:6e:99:a3:dd', ethertype: 'IPv4', length: 98 });
    assert.ok(echo(packets, 'request').every((p) => p.link?.srcMac === 'ee:ee:ee:ee:ee:ee' && p.src === '192.168.10.1'));
    assert.deepEqual(packets[1]?.link?.ethertype, 'ARP');
    assert.equal(packets[1]?.network, 'ARP');
  });

  it('reads the same IP fields with and without -e', () => {
    const fields = ({ network, proto, src, dst, icmpType, seq, length }: Packet) => ({ network, proto, src, dst, icmpType, seq, length });
    const plain = parseTcpdump(fixture('netns-tcpdump-cross-node.txt')).filter((p) => p.proto === 'ICMP');
    const withLink = parseTcpdump(fixture('netns-tcpdump-e.txt')).filter((p) => p.proto === 'ICMP');
    assert.deepEqual(withLink.slice(0, 4).map(fields), plain.map(fields));
  });

  it('reads UDP and TCP ports, TCP flags and payload lengths', () => {
    const packets = parseTcpdump(fixture('netns-tcpdump-tcp-udp.txt'));
    assert.deepEqual(packets[0], {
      time: '02:07:54.651889',
      network: 'IP',
      proto: 'UDP',
      src: '192.168.10.1',
      srcPort: 59426,
      dst: '192.168.20.65',
      dstPort: 5300,
      length: 4,
      raw: '02:07:54.651889 IP 192.168.10.1.59426 > 192.168.20.65.5300: UDP, length 4',
    });
    const tcp = packets.filter((p) => p.proto === 'TCP');
    assert.deepEqual(
      tcp.map((p) => p.tcpFlags),
      ['S', 'S.', '.', 'P.', '.', 'P.', '.'],
    );
    assert.deepEqual(
      tcp.map((p) => p.length),
      [0, 0, 0, 5, 0, 5, 0],
    );
    assert.ok(tcp.every((p) => p.srcPort === 8080 || p.dstPort === 8080));
  });

  // Hand-written lines in formats the lab does not produce.
  it('reads -i any interface and direction, and IPv6 ICMP', () => {
    const [any, v6] = parseTcpdump(
      [
        '02:07:46.461918 cali1a2b3c4d5e6 In  IP 192.168.10.1 > 192.168.20.65: ICMP echo request, id 4761, seq 1, length 64',
        '02:07:46.461999 IP6 fe80::1.5353 > ff02::fb.5353: UDP, length 40',
      ].join('\n'),
    );
    assert.deepEqual([any?.iface, any?.direction, any?.src, any?.icmpType], ['cali1a2b3c4d5e6', 'In', '192.168.10.1', 'echo request']);
    assert.deepEqual([v6?.network, v6?.proto, v6?.src, v6?.srcPort, v6?.dst], ['IP6', 'UDP', 'fe80::1', 5353, 'ff02::fb']);
  });

  it('reads an empty capture as no packets', () => {
    assert.deepEqual(parseTcpdump(''), []);
    assert.deepEqual(parseTcpdump(fixture('netns-tcpdump-cross-node.stderr.txt')), []);
  });

  it('rejects garbage and tcpdump errors', () => {
    assertParseError(() => parseTcpdump('hello world'), /^parseTcpdump: not a tcpdump -n packet line/);
    assertParseError(() => parseTcpdump('tcpdump: eth9: No such device exists'), /tcpdump reported an error/, /eth9/);
    assertParseError(() => parseTcpdump(`/ # tcpdump -n\n${fixture('tcpdump-same-node.txt')}`), /line 1: "\/ # tcpdump -n"/);
  });
});

describe('parseTcpdumpSummary', () => {
  it('reads the closing counts, which may differ between captured and received', () => {
    assert.deepStrictEqual(parseTcpdumpSummary(fixture('netns-tcpdump-cross-node.stderr.txt')), {
      captured: 6,
      receivedByFilter: 8,
      droppedByKernel: 0,
    });
    assert.deepStrictEqual(parseTcpdumpSummary(fixture('netns-tcpdump-tcp-udp.stderr.txt')), {
      captured: 9,
      receivedByFilter: 12,
      droppedByKernel: 0,
    });
  });

  it('reads singular counts and the optional interface drops', () => {
    assert.deepStrictEqual(
      parseTcpdumpSummary('1 packet captured\n1 packet received by filter\n0 packets dropped by kernel\n2 packets dropped by interface\n'),
      { captured: 1, receivedByFilter: 1, droppedByKernel: 0, droppedByInterface: 2 },
    );
  });

  it('rejects stderr without the closing counts', () => {
    const startOnly = fixture('netns-tcpdump-cross-node.stderr.txt').split('\n').slice(0, 2).join('\n');
    assertParseError(() => parseTcpdumpSummary(startOnly), /no closing/, /verbose output suppressed/);
  });
});

describe('isListening', () => {
  it('recognises the line tcpdump prints when its capture is open', () => {
    const [verbose = '', listening = ''] = fixture('netns-tcpdump-cross-node.stderr.txt').split('\n');
    assert.equal(isListening(listening), true);
    assert.equal(isListening(verbose), false);
  });

  it('recognises the older "capture size" wording and -i any', () => {
    assert.equal(isListening('listening on eth0, link-type EN10MB (Ethernet), capture size 262144 bytes'), true);
    assert.equal(isListening('listening on any, link-type LINUX_SLL2 (Linux cooked v2), snapshot length 262144 bytes\n'), true);
  });

  it('does not take a packet or a summary line for it', () => {
    assert.equal(isListening(fixture('tcpdump-cross-node.txt').split('\n')[2] ?? ''), false);
    assert.equal(isListening('6 packets captured'), false);
  });
});

describe('parseTcpdump on VXLAN', () => {
  it('a VXLAN packet carries the packet tcpdump prints on the next line, without a timestamp', () => {
    const packets = parseTcpdump(fixture('netns-tcpdump-vxlan-inner.txt'));
    assert.equal(packets.length, 8, 'one per outer packet: the inner ones are not counted twice');
    const [syn] = packets;
    assert.deepEqual([syn?.src, syn?.dst, syn?.dstPort], ['10.10.10.10', '10.10.10.11', 4789]);
    assert.deepEqual(
      [syn?.inner?.proto, syn?.inner?.src, syn?.inner?.dst, syn?.inner?.dstPort, syn?.inner?.tcpFlags],
      ['TCP', '192.168.151.128', '192.168.108.131', 80, 'S'],
    );
    assert.equal(syn?.inner?.time, syn?.time);
    assert.deepEqual(
      packets.map((packet) => packet.inner?.tcpFlags),
      ['S', 'S.', '.', 'P.', '.', 'F.', 'F.', '.'],
    );
    // A line without a timestamp that is not a packet is still an error.
    assert.throws(() => parseTcpdump(`${fixture('netns-tcpdump-vxlan-inner.txt')}\nnot a packet\n`), /not a tcpdump -n packet line/);
  });
});

describe('parseTcpdump on tcpdump 4.99.3 in two namespaces (netns-h24c-tcpdump-*, issue 24)', () => {
  const kinds = (name: string) => parseTcpdump(fixture(name)).map((p) => `${p.network} ${p.proto}`);

  it('reads IPv4 and IPv6 alike: ICMP and ICMPv6 echo, errors and neighbour discovery, TCP, UDP with and without a decoder, ARP', () => {
    const packets = parseTcpdump(fixture('netns-h24c-tcpdump-plain.txt'));
    assert.equal(packets.length, 52);
    const echo6 = packets.find((p) => p.network === 'IP6' && p.icmpType === 'echo request');
    assert.deepEqual([echo6?.proto, echo6?.src, echo6?.dst, echo6?.seq, echo6?.length], ['ICMP', 'fd00:24::1', 'fd00:24::2', 1, 64]);
    assert.deepEqual(
      packets.filter((p) => p.proto === 'ICMP').map((p) => p.icmpType),
      [
        'echo request',
        'echo reply',
        'echo request',
        'neighbor solicitation',
        'neighbor advertisement',
        'echo reply',
        '10.24.0.2 udp port 5353 unreachable',
        'destination unreachable',
        '10.24.0.2 udp port 53 unreachable',
        'echo request',
        'destination unreachable',
        '10.24.0.2 udp port 9 unreachable',
      ],
    );
    const http6 = packets.find((p) => p.network === 'IP6' && p.tcpFlags === 'S');
    assert.deepEqual([http6?.proto, http6?.src, http6?.srcPort === undefined, http6?.dstPort], ['TCP', 'fd00:24::1', false, 80]);
    const dns = packets.find((p) => p.dstPort === 53);
    assert.deepEqual([dns?.proto, dns?.src], ['UDP', '10.24.0.1']);
    assert.deepEqual(
      packets.filter((p) => p.dstPort === 5353).map((p) => [p.network, p.proto]),
      [
        ['IP', 'UDP'],
        ['IP6', 'UDP'],
      ],
    );
    assert.equal(packets.filter((p) => p.network === 'ARP').length, 2);
  });

  it('reads -e and -i any (interface, direction, the "data link type" notice) to the same IP fields', () => {
    assert.ok(parseTcpdump(fixture('netns-h24c-tcpdump-e.txt')).every((p) => p.link !== undefined));
    assert.deepEqual(kinds('netns-h24c-tcpdump-e.txt').filter((k) => k.startsWith('IP6')).length, 16);
    const any = parseTcpdump(`${fixture('netns-h24c-tcpdump-any.stderr.txt')}\n${fixture('netns-h24c-tcpdump-any.txt')}`);
    assert.ok(any.every((p) => p.iface === 'veth0' && (p.direction === 'In' || p.direction === 'Out')));
    assert.equal(any.length, 48);
  });

  it('reads ARP and IPv6 neighbour discovery with the caches flushed', () => {
    assert.deepEqual(kinds('netns-h24c-tcpdump-arp-nd.txt'), ['ARP other', 'ARP other', ...Array<string>(7).fill('IP6 ICMP')]);
  });

  it('reads a hop-by-hop ICMPv6 (MLD) and an IPIP packet, whose carried packet is its inner (hand-written lines)', () => {
    const [mld, ipip] = parseTcpdump(
      [
        '14:11:21.429811 IP6 fe80::5c22:4bff:fe70:4a3c > ff02::16: HBH ICMP6, multicast listener report v2, 1 group record(s), length 28',
        '14:11:21.429812 IP 172.18.0.2 > 172.18.0.3: IP 192.168.1.1 > 192.168.2.1: ICMP echo request, id 7, seq 1, length 64 (ipip-proto-4)',
      ].join('\n'),
    );
    assert.deepEqual([mld?.proto, mld?.icmpType], ['ICMP', 'multicast listener report v2']);
    assert.deepEqual([ipip?.proto, ipip?.inner?.src, ipip?.inner?.dst], ['other', '192.168.1.1', '192.168.2.1']);
  });

  it('refuses -v output, naming its first line, instead of reading "IP (tos …" as a packet', () => {
    assertParseError(() => parseTcpdump(fixture('netns-h24c-tcpdump-v.txt')), /verbose \(-v\) output/, /line 1/);
  });

  it('refuses a line without timestamp after a packet that carries none, an endpoint of the wrong family, an unknown ethertype', () => {
    const [first = '', second = ''] = fixture('netns-h24c-tcpdump-plain.txt').split('\n');
    assertParseError(() => parseTcpdump(`${first}\n${second.replace(/^\S+ /, '')}\n`), /not a tcpdump -n packet line/, /line 2/);
    assertParseError(
      () => parseTcpdump('14:11:21.398112 IP fd00::1 > 10.24.0.2: ICMP echo request, id 1, seq 1, length 64'),
      /not an IPv4 endpoint/,
      /line 1/,
    );
    assertParseError(
      () => parseTcpdump('14:11:27.372458 da:2c:67:da:dc:31 > 01:80:c2:00:00:0e, ethertype LLDP (0x88cc), length 60: LLDP, length 46'),
      /ethertype LLDP/,
    );
    assertParseError(
      () => parseTcpdump('14:11:21.398112 IP 10.24.0.1 > 10.24.0.2: ICMP echo request, id 1, seq 1'),
      /ICMP message not in the form/,
    );
  });
});
