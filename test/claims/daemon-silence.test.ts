/**
 * A BGP daemon that does not answer: a finding when the claim is about what runs (BIRD dead on a
 * node runs no session; FRR's bgpd dead on the router holds none), with the client's words as
 * evidence; a transport that breaks (a timeout, a client that is not there) stays "could not look".
 * The clients' words are those of birdc 2.0.12 and vtysh 8.4 recorded in the lab with the daemon
 * killed (SIGKILL): the socket file stays and refuses, or FRR finds no bgpd behind its vty.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EnvironmentError, type ExecResult, type ExecTarget, type NodeInfo } from '../../support/domain.ts';
import { type Cluster } from '../../support/cluster/cluster.ts';
import { nodeSessionsFollowPeers, routerSessionWith, routerSessionsFromNodes } from '../../support/claims/bgp.ts';
import { DaemonSilent, silenceOf } from '../../support/probes/bgp.ts';
import { ProbeFailure } from '../../support/probes/commands.ts';
import { calicoBgpObjectsFrom } from '../../support/net/calico-bgp.ts';
import { fixture } from '../probes/helpers.ts';

const BIRD_REFUSED = 'Unable to connect to server control socket (/run/podnet-e2e/sock-6d0c78e0988d/da491f2d/bird.ctl): Connection refused';
const BGPD_NOT_RUNNING = 'bgpd is not running';

const objects = calicoBgpObjectsFrom([
  'apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata: {name: bgppeer-arista}\nspec: {peerIP: 10.10.10.1, asNumber: 65001, nodeSelector: all()}\n',
]);

const node = (name: string, ip: string): NodeInfo => ({
  name,
  role: 'worker',
  internalIP: ip,
  ready: true,
  calico: { ipv4Address: `${ip}/24` },
  labels: { 'kubernetes.io/hostname': name },
});
const nodes = [node('worker', '10.10.10.11'), node('worker2', '10.10.10.12')];

const routerAddr = JSON.stringify([
  {
    ifindex: 2,
    ifname: 'eth1',
    flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
    mtu: 1500,
    operstate: 'UP',
    link_type: 'ether',
    address: '02:00:00:00:00:01',
    addr_info: [{ family: 'inet', local: '10.10.10.1', prefixlen: 24, scope: 'global', label: 'eth1' }],
  },
]);

const result = (argv: string[], where: string, exitCode: number, stdout: string, stderr = '', timedOut = false): ExecResult => ({
  where,
  argv,
  exitCode,
  stdout,
  stderr,
  ms: 3,
  timedOut,
});

type Answer = (argv: string[], where: string) => ExecResult;

/** A cluster that answers the router's `ip addr`, each node's birdc and the router's vtysh as told. */
function fakeCluster(answers: { bird: Record<string, Answer>; vtysh: Answer }, bgpObjects = objects): Cluster {
  const cluster = {
    nodes: async () => nodes,
    bgpObjects: async () => structuredClone(bgpObjects),
    bgpControl: async (speaker: { kind: 'node' | 'router'; name: string }) =>
      speaker.kind === 'router'
        ? { target: speaker, argv: ['vtysh', '--vty_socket', '/s'], daemon: 'frr' }
        : { target: speaker, argv: ['birdc', '-s', '/s/bird.ctl'], daemon: 'bird' },
    exec: async (target: ExecTarget, argv: string[]) => {
      const where = `${target.kind} ${'name' in target ? target.name : ''}`;
      if (argv[0] === 'ip') return result(argv, where, 0, routerAddr);
      if (argv[0] === 'vtysh') return answers.vtysh(argv, where);
      if (argv[0] === 'birdc' && target.kind === 'node') return (answers.bird[target.name] as Answer)(argv, where);
      throw new Error(`unexpected command ${argv.join(' ')}`);
    },
  };
  return cluster as unknown as Cluster;
}

const established: Answer = (argv, where) => result(argv, where, 0, fixture('bird-show-protocols.txt'));
const refused: Answer = (argv, where) => result(argv, where, 1, '', `${BIRD_REFUSED}\n`);
const summary: Answer = (argv, where) => result(argv, where, 0, fixture('frr-bgp-summary.json'));

describe('a BGP daemon that does not answer', () => {
  it('recognises the clients’ words for a daemon that is not there, and nothing else', () => {
    assert.equal(silenceOf('bird', result([], 'n', 1, '', `${BIRD_REFUSED}\n`)), BIRD_REFUSED);
    assert.equal(
      silenceOf(
        'bird',
        result([], 'n', 1, '', 'Unable to connect to server control socket (/var/run/calico/bird.ctl): No such file or directory\n'),
      ),
      'Unable to connect to server control socket (/var/run/calico/bird.ctl): No such file or directory',
    );
    assert.equal(silenceOf('frr', result([], 'r', 1, '', `${BGPD_NOT_RUNNING}\n`)), BGPD_NOT_RUNNING);
    assert.equal(
      silenceOf('frr', result([], 'r', 1, '', 'Exiting: failed to connect to any daemons.\n')),
      'Exiting: failed to connect to any daemons.',
    );
    // The transport or the client failing is not the daemon's silence.
    assert.equal(
      silenceOf('bird', result([], 'n', 1, '', 'Unable to connect to server control socket (/x): Permission denied\n')),
      undefined,
    );
    assert.equal(
      silenceOf('bird', result([], 'n', 126, '', 'error: unable to upgrade connection: container not found ("calico-node")\n')),
      undefined,
    );
    assert.equal(silenceOf('frr', result([], 'r', 127, '', 'vtysh: not found\n')), undefined);
    assert.equal(silenceOf('frr', result([], 'r', -1, '', `${BGPD_NOT_RUNNING}\n`, true)), undefined);
  });

  it('fails "every node runs one Established session" (L07-04) when BIRD is dead on a node, with the refusal as evidence', async () => {
    const seen = await nodeSessionsFollowPeers(fakeCluster({ bird: { worker: established, worker2: refused }, vtysh: summary }), 'frr01');
    assert.equal(seen.ok, false);
    assert.match(
      seen.observed,
      /worker2 runs no BGP session: BIRD on node worker2 does not answer: Unable to connect to server control socket .*Connection refused/,
    );
    assert.doesNotMatch(seen.observed, /worker runs no/);
    assert.ok(seen.evidence.some((evidence) => evidence.stderr.includes(BIRD_REFUSED)));
  });

  it('holds with BIRD dead on a node that no BGPPeer selects: that node runs no session, as the claim says it should', async () => {
    const workerOnly = calicoBgpObjectsFrom([
      "apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata: {name: bgppeer-arista}\nspec: {peerIP: 10.10.10.1, asNumber: 65001, nodeSelector: kubernetes.io/hostname == 'worker'}\n",
    ]);
    const seen = await nodeSessionsFollowPeers(
      fakeCluster({ bird: { worker: established, worker2: refused }, vtysh: summary }, workerOnly),
      'frr01',
    );
    assert.equal(seen.ok, true, seen.observed);
    assert.match(seen.observed, /worker2: BIRD on node worker2 does not answer/);
  });

  it('holds with BIRD answering on every node', async () => {
    const seen = await nodeSessionsFollowPeers(
      fakeCluster({ bird: { worker: established, worker2: established }, vtysh: summary }),
      'frr01',
    );
    assert.equal(seen.ok, true, seen.observed);
  });

  it('stays "could not look" when the transport breaks (birdc cut off, the pod not there)', async () => {
    const timedOut: Answer = (argv, where) => result(argv, where, -1, '', '', true);
    await assert.rejects(
      nodeSessionsFollowPeers(fakeCluster({ bird: { worker: established, worker2: timedOut }, vtysh: summary }), 'frr01'),
      (error: unknown) => error instanceof ProbeFailure && !(error instanceof DaemonSilent) && error instanceof EnvironmentError,
    );
    const noContainer: Answer = (argv, where) => result(argv, where, 1, '', 'error: container not found ("calico-node")\n');
    await assert.rejects(
      nodeSessionsFollowPeers(fakeCluster({ bird: { worker: established, worker2: noContainer }, vtysh: summary }), 'frr01'),
      (error: unknown) => error instanceof ProbeFailure && !(error instanceof DaemonSilent),
    );
  });

  it("fails the router's sessions (L07-05) when its bgpd is not running, and not when vtysh itself is missing", async () => {
    const bgpdDead: Answer = (argv, where) => result(argv, where, 1, '', `${BGPD_NOT_RUNNING}\n`);
    const seen = await routerSessionsFromNodes(fakeCluster({ bird: {}, vtysh: bgpdDead }), 'frr01');
    assert.equal(seen.ok, false);
    assert.equal(seen.expected, 'FRR on router frr01 to run and answer on its control socket');
    assert.match(seen.observed, /^bgpd is not running: no FRR runs there, so it holds no BGP session and no route$/);
    assert.equal(seen.evidence[0]?.stderr, `${BGPD_NOT_RUNNING}\n`);
    const noVtysh: Answer = (argv, where) => result(argv, where, 127, '', 'exec: "vtysh": executable file not found in $PATH\n');
    await assert.rejects(routerSessionsFromNodes(fakeCluster({ bird: {}, vtysh: noVtysh }), 'frr01'), (error: unknown) => {
      return error instanceof ProbeFailure && !(error instanceof DaemonSilent);
    });
  });

  it('reads a dead bgpd as "no session" where the claim is that there is none', async () => {
    const bgpdDead: Answer = (argv, where) => result(argv, where, 1, '', `${BGPD_NOT_RUNNING}\n`);
    const cluster = fakeCluster({ bird: {}, vtysh: bgpdDead });
    const absent = await routerSessionWith(cluster, 'frr01', 'worker', { present: false, prefixes: () => [] });
    assert.equal(absent.ok, true);
    const present = await routerSessionWith(cluster, 'frr01', 'worker', { present: true, prefixes: () => [] });
    assert.equal(present.ok, false);
    assert.match(present.observed, /bgpd is not running/);
  });
});
