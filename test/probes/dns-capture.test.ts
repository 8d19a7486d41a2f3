import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dnsQueriesOf, dnsResponsesOf } from '../../support/parse/dns-capture.ts';
import { parseTcpdump } from '../../support/parse/tcpdump.ts';
import { fixture } from './helpers.ts';

describe('DNS in tcpdump summaries', () => {
  it('reads the search-list walk of `dig +search no-such-name` in a lab pod: four queries, four NXDOMAINs', () => {
    const packets = parseTcpdump(fixture('netns-tcpdump-dns-search.txt'));
    assert.deepEqual(
      dnsQueriesOf(packets).map((query) => `${query.type} ${query.name} → ${query.to}`),
      [
        'A no-such-name.default.svc.cluster.local.',
        'A no-such-name.svc.cluster.local.',
        'A no-such-name.cluster.local.',
        'A no-such-name.',
      ].map((line) => `${line} → 10.96.0.10`),
    );
    const responses = dnsResponsesOf(packets);
    assert.deepEqual(
      responses.map((response) => response.rcode),
      ['NXDOMAIN', 'NXDOMAIN', 'NXDOMAIN', 'NXDOMAIN'],
    );
    assert.deepEqual(
      responses.map((response) => response.id),
      dnsQueriesOf(packets).map((query) => query.id),
    );
  });

  it('reads an answered response and ignores what is not DNS', () => {
    const packets = parseTcpdump(
      '14:53:08.465301 IP 10.96.0.10.53 > 192.168.194.1.48935: 4088* 1/0/1 A 10.96.1.2 (100)\n14:53:09.000000 IP 192.168.194.1 > 192.168.194.2: ICMP echo request, id 1, seq 1, length 64\n',
    );
    assert.deepEqual(dnsResponsesOf(packets), [{ id: 4088, rcode: 'NOERROR', answers: 1, from: '10.96.0.10' }]);
    assert.deepEqual(dnsQueriesOf(packets), []);
  });
});

describe('DNS over TCP and IPv6 in tcpdump summaries (issue 24)', () => {
  it('reads a query and its answer carried in TCP segments, over IPv4 and IPv6, beside UDP over IPv6', () => {
    const packets = parseTcpdump(fixture('netns-tcpdump-dns-tcp-ipv4-ipv6.txt'));
    assert.deepEqual(
      dnsQueriesOf(packets).map((query) => `${query.id} ${query.type} ${query.name} ${query.from} → ${query.to}`),
      [
        '895 A nginx-service.default.svc.cluster.local. 127.0.0.1 → 127.0.0.1',
        '19990 AAAA nginx-service.default.svc.cluster.local. ::1 → ::1',
        '24344 A no-such.default.svc.cluster.local. ::1 → ::1',
      ],
    );
    assert.deepEqual(
      dnsResponsesOf(packets).map((response) => `${response.id} ${response.rcode} ${response.answers}`),
      ['895 NOERROR 1', '19990 NOERROR 1', '24344 NXDOMAIN 0'],
    );
  });

  it('refuses a message of port 53 it cannot read', () => {
    const packets = parseTcpdump('11:27:09.239652 IP 127.0.0.1.44139 > 127.0.0.1.53: Flags [P.], seq 1:83, ack 1, win 64, length 82\n');
    assert.throws(() => dnsQueriesOf(packets), /did not decode as DNS/);
    const udp = parseTcpdump('11:27:10.148315 IP6 ::1.45544 > ::1.53: 24344+ [1au] A?\n');
    assert.throws(() => dnsQueriesOf(udp), /neither a DNS query nor a response/);
  });
});
