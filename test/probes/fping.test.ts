import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFpingSummary } from '../../support/parse/fping.ts';
import { assertParseError, fixture } from './helpers.ts';

describe('parseFpingSummary on fping 5.1 in two namespaces (netns-h24c-fping-*, issue 24)', () => {
  it('reads the mesh command to IPv4, IPv6 and both at once, answered and not', () => {
    assert.deepEqual(parseFpingSummary(fixture('netns-h24c-fping-v4.txt'), ['10.24.0.2', '10.24.1.2', '10.24.7.7']), [
      { target: '10.24.0.2', sent: 1, received: 1 },
      { target: '10.24.1.2', sent: 1, received: 1 },
      { target: '10.24.7.7', sent: 1, received: 0 },
    ]);
    assert.deepEqual(
      parseFpingSummary(fixture('netns-h24c-fping-v6.txt')).map((s) => [s.target, s.received]),
      [
        ['fd00:24::2', 1],
        ['fd00:25::2', 1],
        ['fd00:24::99', 0],
      ],
    );
    assert.deepEqual(
      parseFpingSummary(fixture('netns-h24c-fping-mixed.txt'), ['10.24.0.2', 'fd00:24::2', '10.24.0.99', '10.97.0.1', 'fd00:97::1']).map(
        (s) => s.received,
      ),
      [1, 1, 0, 0, 0],
    );
  });

  it('reads -c 2, and the output without -q (per-request lines, ICMP errors, the blank line) to the same summary', () => {
    assert.deepEqual(parseFpingSummary(fixture('netns-h24c-fping-c2-unreachable.txt'))[0], { target: '10.24.0.2', sent: 2, received: 2 });
    assert.deepEqual(parseFpingSummary(fixture('netns-h24c-fping-verbose.txt'), ['10.24.0.99', 'fd00:97::1', '10.24.0.2']), [
      { target: '10.24.0.99', sent: 1, received: 0 },
      { target: 'fd00:97::1', sent: 1, received: 0 },
      { target: '10.24.0.2', sent: 1, received: 1 },
    ]);
    assert.equal(parseFpingSummary(fixture('netns-h24c-fping-icmp-errors.txt')).length, 3);
  });

  it('refuses a run where a target has no summary (fping prints none for a name it cannot resolve)', () => {
    assertParseError(
      () => parseFpingSummary(fixture('netns-h24c-fping-unknown-name.txt'), ['10.24.0.2', 'no-such-name.invalid']),
      /no single summary for no-such-name\.invalid/,
    );
    assertParseError(
      () => parseFpingSummary(fixture('netns-h24c-fping-v4.txt'), ['10.24.0.2', '10.24.1.2']),
      /10\.24\.7\.7, which was not asked/,
    );
  });

  it('reads an address named twice as fping prints it, one summary per entry, and refuses a missing one', () => {
    const repeated = fixture('netns-fping-repeated-target.txt');
    assert.deepEqual(
      parseFpingSummary(repeated, ['127.0.0.2', '127.0.0.1', '127.0.0.2']).map((s) => s.target),
      ['127.0.0.2', '127.0.0.1', '127.0.0.2'],
    );
    assertParseError(() => parseFpingSummary(repeated, ['127.0.0.2', '127.0.0.1']), /no single summary for 127\.0\.0\.2/);
  });

  it("refuses fping's own errors and counts that do not add up, naming the line", () => {
    assertParseError(() => parseFpingSummary("fping: can't create socket (must run as root?)\n"), /not an fping summary line/, /line 1/);
    assertParseError(() => parseFpingSummary('10.24.0.2 : xmt/rcv/%loss = 1/1/100%\n'), /do not add up/, /line 1/);
    assertParseError(() => parseFpingSummary('10.24.0.2 : xmt/rcv/%loss = 1/1/0%, min/avg/max = 0.1/0.1/0.1, extra\n'), /line 1/);
  });

  it('reads the lines the mesh script prints itself when fping is missing', () => {
    assert.deepEqual(
      parseFpingSummary('10.0.0.2 : xmt/rcv/%loss = 1/1/0%\n10.0.0.3 : xmt/rcv/%loss = 1/0/100%\n', ['10.0.0.2', '10.0.0.3']),
      [
        { target: '10.0.0.2', sent: 1, received: 1 },
        { target: '10.0.0.3', sent: 1, received: 0 },
      ],
    );
  });
});
