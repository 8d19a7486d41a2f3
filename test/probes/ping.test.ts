import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePing } from '../../support/parse/ping.ts';
import { assertParseError, fixture } from './helpers.ts';

describe('parsePing on the course outputs (lesson 03, `nohup ping … &` read while running)', () => {
  it('reads same-node replies, every one with TTL 63, and no statistics yet', () => {
    const ping = parsePing(fixture('ping-same-node.txt'));
    assert.equal(ping.target, '192.168.93.202');
    assert.deepEqual(
      ping.replies.map((r) => r.ttl),
      [63, 63, 63, 63, 63],
    );
    assert.deepEqual(ping.replies[0], { bytes: 64, from: '192.168.93.202', seq: 1, ttl: 63, timeMs: 0.104 });
    assert.deepEqual([ping.transmitted, ping.received, ping.lossPercent], [undefined, undefined, undefined]);
    assert.deepEqual(ping.errors, []);
  });

  it('reads cross-node replies, every one with TTL 62', () => {
    const ping = parsePing(fixture('ping-cross-node.txt'));
    assert.equal(ping.target, '192.168.112.197');
    assert.deepEqual(
      ping.replies.map((r) => r.seq),
      [1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    assert.ok(ping.replies.every((r) => r.ttl === 62 && r.from === '192.168.112.197'));
  });
});

describe('parsePing on iputils outputs from the netns lab', () => {
  it('reads a complete same-node ping: TTL 63, 3 sent, 3 received, no loss', () => {
    const ping = parsePing(fixture('netns-ping-same-node.txt'));
    assert.deepEqual(
      ping.replies.map((r) => r.ttl),
      [63, 63, 63],
    );
    assert.deepEqual([ping.transmitted, ping.received, ping.lossPercent], [3, 3, 0]);
  });

  it('reads a complete cross-node ping: TTL 62', () => {
    const ping = parsePing(fixture('netns-ping-cross-node.txt'));
    assert.deepEqual(
      ping.replies.map((r) => r.ttl),
      [62, 62, 62],
    );
    assert.equal(ping.received, 3);
  });

  it('reads total loss into a blackhole', () => {
    const ping = parsePing(fixture('netns-ping-loss.txt'));
    assert.deepEqual(ping.replies, []);
    assert.deepEqual([ping.transmitted, ping.received, ping.lossPercent], [3, 0, 100]);
  });

  it('puts ICMP errors into errors, and reads the "+N errors" summary', () => {
    const ping = parsePing(fixture('netns-ping-unreachable.txt'));
    assert.deepEqual(
      ping.errors,
      [1, 2, 3].map((n) => `From 172.30.0.2 icmp_seq=${n} Destination Host Unreachable`),
    );
    assert.deepEqual([ping.transmitted, ping.received, ping.lossPercent], [3, 0, 100]);
  });

  it('keeps the replies of a ping killed before its statistics', () => {
    const ping = parsePing(fixture('netns-ping-cut-off.txt'));
    assert.equal(ping.replies.length, 3);
    assert.equal(ping.transmitted, undefined);
  });

  it('reads a ping that failed before sending anything', () => {
    assert.deepEqual(parsePing(fixture('netns-ping-blackhole.txt')), {
      target: undefined,
      replies: [],
      transmitted: undefined,
      received: undefined,
      lossPercent: undefined,
      errors: ['ping: connect: Invalid argument'],
    });
  });
});

describe('parsePing on other formats', () => {
  it('reads busybox ping (hand-written fixture: seq from 0, "packets received")', () => {
    const ping = parsePing(fixture('ping-busybox.handwritten.txt'));
    assert.equal(ping.target, '192.168.93.202');
    assert.deepEqual(
      ping.replies.map((r) => [r.seq, r.ttl]),
      [
        [0, 63],
        [1, 63],
        [2, 63],
      ],
    );
    assert.deepEqual([ping.transmitted, ping.received, ping.lossPercent], [3, 3, 0]);
  });

  // Hand-written lines in iputils formats the lab does not produce.
  it('reads named hosts, duplicates, -D timestamps and fractional loss', () => {
    const ping = parsePing(
      [
        'PING kube-dns.kube-system.svc.cluster.local (10.96.0.10) 56(84) bytes of data.',
        '64 bytes from kube-dns.kube-system.svc.cluster.local (10.96.0.10): icmp_seq=1 ttl=64 time=0.5 ms',
        '[1700000000.123456] 64 bytes from 10.96.0.10: icmp_seq=1 ttl=64 time=0.7 ms (DUP!)',
        '',
        '--- kube-dns.kube-system.svc.cluster.local ping statistics ---',
        '3 packets transmitted, 2 received, +1 duplicates, 33.3333% packet loss, time 2003ms',
      ].join('\n'),
    );
    assert.equal(ping.target, '10.96.0.10');
    assert.deepEqual(ping.replies, [
      { bytes: 64, from: '10.96.0.10', seq: 1, ttl: 64, timeMs: 0.5 },
      { bytes: 64, from: '10.96.0.10', seq: 1, ttl: 64, timeMs: 0.7, duplicate: true },
    ]);
    assert.equal(ping.lossPercent, 33.3333);
  });
});

describe('parsePing rejects what is not ping output', () => {
  it('rejects garbage and empty output', () => {
    assertParseError(() => parsePing('hello world'), /^parsePing: not a line of ping output/, /hello world/);
    assertParseError(() => parsePing(''), /no "PING <target>" header/);
  });

  it('rejects a course explanation pasted under the output', () => {
    const pasted = `${fixture('ping-same-node.txt')}  • Default Route: All traffic goes via 169.254.1.1 through eth0\n`;
    const error = assertParseError(() => parsePing(pasted), /Default Route/);
    assert.equal(error.lineNumber, 7);
  });
});

describe('parsePing on unanswered pings', () => {
  it('reads a run with no replies (a real capture of a pod whose gateway does not answer)', () => {
    const ping = parsePing(fixture('ping-no-gateway-pipe.txt'));
    assert.deepEqual([ping.transmitted, ping.received, ping.replies.length], [3, 0, 0]);
  });

  it('accepts the "pipe N" line iputils prints when several requests were outstanding', () => {
    // Shape seen when proxy ARP was off on the host side: unreachable errors, then "pipe 3".
    const ping = parsePing(
      [
        'PING 192.168.226.66 (192.168.226.66) 56(84) bytes of data.',
        'From 192.168.226.65 icmp_seq=1 Destination Host Unreachable',
        '',
        '--- 192.168.226.66 ping statistics ---',
        '3 packets transmitted, 0 received, +3 errors, 100% packet loss, time 409ms',
        'pipe 3',
      ].join('\n'),
    );
    assert.equal(ping.received, 0);
    assert.deepEqual(ping.errors, ['From 192.168.226.65 icmp_seq=1 Destination Host Unreachable']);
  });
});

describe('parsePing on a don’t-fragment ping larger than the pod’s MTU (lesson 18)', () => {
  it('keeps the kernel’s error for every request: stdout then stderr', () => {
    const ping = parsePing(fixture('netns-mtu-ping-too-large.txt'));
    assert.equal(ping.replies.length, 0);
    assert.equal(ping.lossPercent, 100);
    assert.deepEqual(ping.errors, Array(3).fill('ping: local error: message too long, mtu=1450'));
  });
});

describe('parsePing on iputils 20221126 in two namespaces (netns-h24c-ping-*, issue 24)', () => {
  it('reads IPv4 and IPv6 (with -6 and without) alike', () => {
    for (const [name, target] of [
      ['netns-h24c-ping.txt', '10.24.0.2'],
      ['netns-h24c-ping-6.txt', 'fd00:24::2'],
      ['netns-h24c-ping-v6-no-flag.txt', 'fd00:24::2'],
    ] as const) {
      const ping = parsePing(fixture(name));
      assert.equal(ping.target, target, name);
      assert.deepEqual(
        ping.replies.map((r) => [r.from, r.seq, r.ttl]),
        [1, 2, 3].map((seq) => [target, seq, 64]),
        name,
      );
      assert.deepEqual([ping.transmitted, ping.received, ping.lossPercent, ping.errors], [3, 3, 0, []], name);
    }
  });

  it('reads -D timestamps, and replies without a time (-s 4: no room for a timestamp)', () => {
    assert.deepEqual(
      parsePing(fixture('netns-h24c-ping-D.txt')).replies.map((r) => r.seq),
      [1, 2],
    );
    assert.deepEqual(parsePing(fixture('netns-h24c-ping-s4.txt')).replies[0], { bytes: 12, from: '10.24.0.2', seq: 1, ttl: 64 });
  });

  it('reads unanswered pings: no host on the link (IPv4 and IPv6 errors, "pipe 4"), no forwarding, the broadcast warning', () => {
    const v4 = parsePing(fixture('netns-h24c-ping-host-unreachable.txt'));
    assert.deepEqual([v4.received, v4.errors.length, v4.errors[0]], [0, 3, 'From 10.24.0.1 icmp_seq=1 Destination Host Unreachable']);
    const v6 = parsePing(fixture('netns-h24c-ping-6-host-unreachable.txt'));
    assert.deepEqual([v6.received, v6.errors[0]], [0, 'From fd00:24::1 icmp_seq=1 Destination unreachable: Address unreachable']);
    assert.deepEqual(
      parsePing(fixture('netns-h24c-ping-6-admin-unreachable.txt')).errors[1],
      'From fd00:24::2 icmp_seq=2 Destination unreachable: No route',
    );
    assert.deepEqual(
      [parsePing(fixture('netns-h24c-ping-timeout.txt')).transmitted, parsePing(fixture('netns-h24c-ping-timeout.txt')).lossPercent],
      [2, 100],
    );
    assert.deepEqual(parsePing(fixture('netns-h24c-ping-broadcast.txt')).errors, ['WARNING: pinging broadcast address']);
  });

  it("reads ping's own failures: no route, an unknown name, a don't-fragment request over the route's MTU", () => {
    assert.deepEqual(parsePing(fixture('netns-h24c-ping-net-unreachable.txt')).errors, ['ping: connect: No route to host']);
    assert.equal(parsePing(fixture('netns-h24c-ping-unknown-name.txt')).target, undefined);
    assert.deepEqual(
      parsePing(fixture('netns-h24c-ping-M-do-too-large.txt')).errors,
      Array(2).fill('ping: local error: message too long, mtu=1400'),
    );
  });

  it('refuses a reply with a note it does not know, a changed statistics line, a second run, -v output', () => {
    const head = 'PING 10.24.0.2 (10.24.0.2) 56(84) bytes of data.\n';
    assertParseError(
      () => parsePing(`${head}64 bytes from 10.24.0.2: icmp_seq=1 ttl=64 time=0.1 ms wrong data byte #12\n`),
      /not a line/,
      /line 2/,
    );
    assertParseError(
      () => parsePing(`${head}3 packets transmitted, 3 received, 0% packet loss, time 2ms, extra\n`),
      /not a line/,
      /line 2/,
    );
    assertParseError(() => parsePing(`${head}${head}`), /second "PING" header/, /line 2/);
    assertParseError(
      () =>
        parsePing(
          'ping: sock4.fd: 3 (socktype: SOCK_DGRAM), sock6.fd: 4\nPING 10.24.0.2 (10.24.0.2) 56(84) bytes of data.\nai->ai_family: AF_INET\n',
        ),
      /line 3/,
    );
  });
});
