/**
 * Generated flows inserted with the real conntrack (conntrack-tools 1.4.7) in a throwaway
 * namespace, listed with `conntrack -L` and `-L -o extended`, and read back: every flow must be
 * read as inserted, IPv4 and IPv6, TCP with a state and UDP, with and without a translated
 * reply (issue 24). The namespace is deleted afterwards.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { throwawayNetns } from './throwaway-netns.ts';
import { parseConntrack, type ConntrackEntry } from '../../support/parse/conntrack.ts';

interface Flow {
  family: 'ipv4' | 'ipv6';
  protocol: 'tcp' | 'udp';
  state: 'ESTABLISHED' | 'SYN_SENT' | 'TIME_WAIT' | 'CLOSE';
  src: string;
  dst: string;
  sport: number;
  dport: number;
  /** The address the reply comes from, when the flow was translated (DNAT to a backend). */
  backend: string | undefined;
  mark: number;
}

const netns = throwawayNetns('pnct');
const inNetns = netns.run;

const address = (family: Flow['family']) =>
  family === 'ipv4'
    ? fc
        .tuple(
          fc.integer({ min: 1, max: 223 }),
          fc.integer({ min: 0, max: 255 }),
          fc.integer({ min: 0, max: 255 }),
          fc.integer({ min: 1, max: 254 }),
        )
        .map((parts) => parts.join('.'))
    : fc
        .tuple(fc.integer({ min: 1, max: 0xffff }), fc.integer({ min: 1, max: 0xffff }))
        .map(([a, b]) => `fd00:${a.toString(16)}::${b.toString(16)}`);

const flowArb: fc.Arbitrary<Flow> = fc.constantFrom('ipv4' as const, 'ipv6' as const).chain((family) =>
  fc.record({
    family: fc.constant(family),
    protocol: fc.constantFrom('tcp' as const, 'udp' as const),
    state: fc.constantFrom('ESTABLISHED' as const, 'SYN_SENT' as const, 'TIME_WAIT' as const, 'CLOSE' as const),
    src: address(family),
    dst: address(family),
    sport: fc.integer({ min: 1, max: 65_535 }),
    dport: fc.integer({ min: 1, max: 65_535 }),
    backend: fc.option(address(family), { nil: undefined }),
    mark: fc.integer({ min: 0, max: 255 }),
  }),
);

/** `conntrack -I` takes the family from the addresses (it refuses -f). */
function insertArgv(flow: Flow): string[] {
  return [
    'conntrack',
    '-I',
    '-p',
    flow.protocol,
    '-s',
    flow.src,
    '-d',
    flow.dst,
    '--sport',
    String(flow.sport),
    '--dport',
    String(flow.dport),
    ...(flow.backend
      ? ['-r', flow.backend, '-q', flow.src, '--reply-port-src', String(flow.dport), '--reply-port-dst', String(flow.sport)]
      : []),
    ...(flow.protocol === 'tcp' ? ['--state', flow.state] : []),
    '-t',
    '120',
    '-m',
    String(flow.mark),
  ];
}

function compare(read: ConntrackEntry | undefined, flow: Flow, extended: boolean): void {
  assert.ok(read, `no flow ${flow.src}:${flow.sport} → ${flow.dst}:${flow.dport} read back`);
  assert.equal(read.family, extended ? flow.family : undefined);
  assert.equal(read.protocol, flow.protocol);
  assert.equal(read.state, flow.protocol === 'tcp' ? flow.state : undefined);
  assert.deepEqual(
    [read.original.src, read.original.dst, read.original.sport, read.original.dport],
    [flow.src, flow.dst, flow.sport, flow.dport],
  );
  assert.deepEqual(
    [read.reply.src, read.reply.dst, read.reply.sport, read.reply.dport],
    [flow.backend ?? flow.dst, flow.src, flow.dport, flow.sport],
  );
}

describe('conntrack: generated flows inserted with the real conntrack and read back from -L and -L -o extended', () => {
  before(() => netns.create());
  after(() => netns.remove());

  it('IPv4 and IPv6, TCP with its state and UDP, translated or not', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(flowArb, {
          minLength: 1,
          maxLength: 4,
          selector: (f) => `${f.family} ${f.protocol} ${f.src} ${f.sport} ${f.dst} ${f.dport}`,
        }),
        (flows) => {
          for (const flow of flows) inNetns(insertArgv(flow));
          try {
            for (const extended of [false, true]) {
              const read = parseConntrack(
                inNetns(['conntrack', '-L', ...(extended ? ['-o', 'extended'] : []), '-f', 'ipv4']) +
                  inNetns(['conntrack', '-L', ...(extended ? ['-o', 'extended'] : []), '-f', 'ipv6']),
              );
              assert.equal(read.length, flows.length);
              for (const flow of flows)
                compare(
                  read.find(
                    (entry) =>
                      entry.protocol === flow.protocol &&
                      entry.original.src === flow.src &&
                      entry.original.sport === flow.sport &&
                      entry.original.dst === flow.dst,
                  ),
                  flow,
                  extended,
                );
            }
          } finally {
            inNetns(['conntrack', '-F', '-f', 'ipv4']);
            inNetns(['conntrack', '-F', '-f', 'ipv6']);
          }
        },
      ),
      { numRuns: 12 },
    );
  });
});
