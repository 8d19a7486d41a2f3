/**
 * `cluster:up --dry-run --topology <t>` against the course's deploy script of the lesson each
 * topology was written for (../shared/course/<lesson folder>/deploy.sh, read when this was written; the
 * course is not part of this repository, so its order is written out below): every object the
 * script applies after `tigerastatus` is Available comes in the plan after that wait, in the
 * script's order, in the namespace the scenarios read, and each workload is waited for after
 * it is applied. What the script applies that cluster:up leaves to someone else is listed,
 * with who does it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadFixtures, objectsOf } from '../../support/provision/manifests.ts';
import { parseCommand } from '../../support/provision/options.ts';
import { planClusterUp, type Step } from '../../support/provision/plan.ts';
import { listTopologies } from '../../support/topology/catalogue.ts';

interface CourseScript {
  script: string;
  /** What deploy.sh applies after the tigerastatus wait, in its order: `Kind name`. */
  applies: string[];
  /** What the lesson's README has the learner apply next, and the suite's lab holds from the start. */
  lesson?: string[];
  /** What deploy.sh applies that cluster:up does not, and why. */
  elsewhere?: Record<string, string>;
}

const SESSION = 'the e2e session applies it (fixtures/workloads/, fixtures/lessons/lesson-NN/) into its namespace';

const COURSE: Record<string, CourseScript> = {
  kind: { script: '04-k8s-services/deploy.sh (and 01–05, 11)', applies: [], elsewhere: { 'tools/*.yaml': SESSION } },
  'static-ip': {
    script: '16-static-ip/deploy.sh',
    applies: [],
    elsewhere: {
      'tools/04-ip-reservation.yaml': "the lesson's change: its scenarios apply fixtures/manifests/reserved-ips.yaml",
      'tools/01-dynamic-pod.yaml': 'its scenarios create their pods',
    },
  },
  'calico-overlay': { script: '06-calico-overlay/deploy.sh', applies: [] },
  'calico-bgp': { script: '07-calico-bgp/deploy.sh:72-73', applies: ['BGPConfiguration default', 'BGPPeer bgppeer-arista'] },
  'calico-bgp-lb': {
    script: '08-calico-bgp-lb/deploy.sh:72-82',
    applies: ['BGPConfiguration default', 'BGPPeer bgppeer-arista', 'Deployment nginx-deployment'],
    lesson: ['IPPool loadbalancer-ip-pool', 'Service lb-nginx-service'],
  },
  'multi-ippool': {
    script: '09-multi-ippool/deploy.sh:72-87',
    applies: ['IPPool loadbalancer-ip-pool'],
    elsewhere: {
      'calico-cni-config/bgpconfiguration-lb.yaml, bgppeer.yaml': 'the topology has no BGP speaker (lesson 09 claims nothing of BGP)',
      'k8s-manifests/lb-nginx-service.yaml, tools/nginx-deployment.yaml': 'lesson 09 claims nothing of them; its lab has none',
      'tools/multitool-1.yaml, multitool-2.yaml': SESSION,
    },
  },
  'calico-bgp-ippool': {
    script: '10-calico-bgp-ippool/deploy.sh:77-93',
    applies: [
      'BGPConfiguration default',
      'BGPPeer bgppeer-vlan-10',
      'BGPPeer bgppeer-vlan-20',
      'IPPool loadbalancer-ip-pool',
      'Service lb-nginx-service',
      'Deployment nginx-deployment',
    ],
    elsewhere: { 'tools/multitool-1.yaml, multitool-2.yaml': SESSION },
  },
  'selective-bgp-peering': {
    script: '15-selective-bgp-peering/deploy.sh:77-87',
    applies: ['BGPConfiguration default', 'BGPPeer bgppeer-arista', 'Deployment nginx-deployment'],
    lesson: ['IPPool loadbalancer-ip-pool', 'Service lb-nginx-service'],
  },
  'calico-qos': {
    script: '12-calico-qos/deploy.sh:63-68',
    applies: ['Pod iperf-server', 'Pod iperf-client'],
    lesson: ['Pod iperf-server-qos', 'Pod iperf-client-qos'],
  },
  wireguard: { script: '13-wireguard/deploy.sh:68-73', applies: ['Pod backend-api', 'Pod frontend-client'] },
  macvlan: {
    script: '21-macvlan/deploy.sh',
    applies: [],
    lesson: ['NetworkAttachmentDefinition vlan20-macvlan', 'Pod macvlan-test-pod', 'DaemonSet macvlan-test-ds'],
    elsewhere: {
      'Multus and Whereabouts (the README installs them from upstream)': 'not yet in cluster:up: an open item of the live target',
    },
  },
  ipvlan: {
    script: '22-ipvlan/deploy.sh',
    applies: [],
    lesson: ['NetworkAttachmentDefinition vlan30-ipvlan-l2', 'NetworkAttachmentDefinition vlan30-ipvlan-l3'],
    elsewhere: {
      'Multus and Whereabouts (the README installs them from upstream)': 'not yet in cluster:up: an open item of the live target',
      'the ipvlan pods': 'applied by their scenarios on a live cluster only (no ipvlan in the lab)',
    },
  },
  'mtu-lab': {
    script: '18-mtu/deploy.sh:78-96',
    applies: ['Pod netshoot-server', 'Pod netshoot-client'],
    elsewhere: {
      'docker exec … ip link set eth1 mtu 9000': "the topology's links carry MTU 9000 from the start",
      'docker exec … apt-get install tcpdump': 'where the captures find tcpdump is the cross-target work of T3-02',
    },
  },
};

const NAMESPACE = 'lab-ns';

function optionsFor(topology: string) {
  const command = parseCommand(['up', '--topology', topology, '--namespace', NAMESPACE]);
  assert.equal(command.command, 'up');
  return command.options;
}

/** Each object a step applies, with the step's index. */
function applied(steps: Step[]) {
  return steps.flatMap((step, index) =>
    step.kind === 'run' && step.stdin && step.argv.includes('apply')
      ? objectsOf(step.stdin.text, step.stdin.source).map((object) => ({ ...object, ref: `${object.kind} ${object.name}`, index }))
      : [],
  );
}

test('every topology of the suite has its course script written out here', () => {
  assert.deepEqual(Object.keys(COURSE).sort(), listTopologies().sort());
});

for (const [topology, course] of Object.entries(COURSE)) {
  test(`T3-13: cluster:up --topology ${topology} applies what ${course.script} applies, in order, after Calico's API server is Available`, async () => {
    const steps = planClusterUp(optionsFor(topology), await loadFixtures(topology));
    const apiServer = steps.findIndex((step) => step.kind === 'wait' && step.until.type === 'tigerastatus-available');
    assert.ok(apiServer >= 0, 'a wait for tigerastatus calico and apiserver');
    const objects = applied(steps).filter((object) => object.index > apiServer);
    const at = (ref: string) => {
      const found = objects.find((object) => object.ref === ref);
      assert.ok(
        found,
        `${topology}: the plan applies no ${ref} after the tigerastatus wait (it applies ${objects.map((o) => o.ref).join(', ') || 'nothing'})`,
      );
      return found;
    };
    const order = course.applies.map((ref) => at(ref).index);
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
      `${topology}: in ${course.script}'s order`,
    );
    for (const ref of course.lesson ?? []) at(ref);
    for (const object of objects) {
      if (['BGPConfiguration', 'BGPPeer', 'IPPool', 'Namespace'].includes(object.kind))
        assert.equal(object.namespace, undefined, object.ref);
      else assert.equal(object.namespace, NAMESPACE, `${object.ref} goes to the namespace the scenarios read`);
    }
    for (const object of objects.filter((candidate) => ['Deployment', 'Pod', 'DaemonSet', 'StatefulSet'].includes(candidate.kind))) {
      const wait = steps.findIndex(
        (step, index) =>
          index > object.index &&
          step.argv.includes('-n') &&
          step.argv.includes(NAMESPACE) &&
          step.argv.some((arg) => arg.endsWith(`/${object.name}`)),
      );
      assert.ok(wait > object.index, `${topology}: a wait for ${object.ref} after it is applied`);
    }
    if (objects.length === 0) assert.equal(course.applies.length, 0);
  });
}

test('T3-13: the namespace is the one given, and --namespace is checked', () => {
  assert.throws(() => parseCommand(['up', '--namespace', 'Not_A_Label']), /--namespace/);
  const command = parseCommand(['up']);
  assert.equal(command.command === 'up' && command.options.namespace, 'podnet-e2e');
});
