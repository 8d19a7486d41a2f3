/**
 * Faults of lesson 12's topology (calico-qos): Felix shaping wrongly or not at all, the
 * annotations lost on the way, the IFB left behind, and the iperf pods or Service off what the
 * course applies. Felix's misbehaviours are flags its QoS part reads (felix/qos.ts); applied to
 * a running lab, they re-program the QoS of every pod as that Felix would.
 */
import { run } from '../../exec/run.ts';
import { ifbDeviceName } from '../../net/calico.ts';
import { cniAdd, cniDel } from '../cni/cni.ts';
import {
  EGRESS_BANDWIDTH_ANNOTATION,
  INGRESS_BANDWIDTH_ANNOTATION,
  QOS_EVERY_POD_FAULT,
  QOS_IFB_LEFT_BEHIND_FAULT,
  QOS_IGNORED_FAULT,
  QOS_NO_REDIRECT_FAULT,
  QOS_RATE_IN_BYTES_FAULT,
  applyQos,
} from '../felix/qos.ts';
import { findNode, type LabPod, type LabState } from '../model.ts';
import type { Fault } from './fault.ts';
import { TOPOLOGY } from '../../topology/catalogue.ts';

const CALICO_QOS = [TOPOLOGY.calicoQos];

function pod(state: LabState, name: string): LabPod {
  const found = state.pods.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`lab ${state.name} has no pod ${name}`);
  return found;
}

/** Takes every pod's QoS away (qdiscs on cali, the IFB), then programs it again as Felix with `fault` would. */
async function reprogramQos(state: LabState, fault: string): Promise<void> {
  const pods = state.pods.filter((candidate) => candidate.hostInterface);
  await Promise.all(
    pods.map(async (each) => {
      const netns = findNode(state, each.node).netns;
      const cali = each.hostInterface as string;
      // Whatever is there or not: a pod without QoS has neither, and tc says so on stderr.
      await run(['tc', '-n', netns, 'qdisc', 'del', 'dev', cali, 'root'], { where: netns });
      await run(['tc', '-n', netns, 'qdisc', 'del', 'dev', cali, 'ingress'], { where: netns });
      await run(['ip', '-n', netns, 'link', 'del', ifbDeviceName(cali)], { where: netns });
    }),
  );
  await applyQos({ ...state, faults: [...state.faults, fault] }, pods);
}

export const QOS_FAULTS: Fault[] = [
  {
    name: QOS_IGNORED_FAULT,
    description: "Felix ignores the pods' qos.projectcalico.org annotations: no qdisc, no IFB",
    topologies: CALICO_QOS,
    apply: (state) => reprogramQos(state, QOS_IGNORED_FAULT),
  },
  {
    name: QOS_RATE_IN_BYTES_FAULT,
    description: 'Felix takes the bandwidth annotations for bytes per second: every tbf runs eight times too fast (80 Mbit/s for 10M)',
    topologies: CALICO_QOS,
    apply: (state) => reprogramQos(state, QOS_RATE_IN_BYTES_FAULT),
  },
  {
    name: QOS_NO_REDIRECT_FAULT,
    description: 'Felix creates the bwcali IFB and its tbf but no ingress qdisc and filter on cali: nothing reaches the IFB',
    topologies: CALICO_QOS,
    apply: (state) => reprogramQos(state, QOS_NO_REDIRECT_FAULT),
  },
  {
    name: QOS_EVERY_POD_FAULT,
    description: 'Felix shapes the traffic to every pod at 10 Mbit/s with a small bucket, annotated or not',
    topologies: CALICO_QOS,
    apply: (state) => reprogramQos(state, QOS_EVERY_POD_FAULT),
  },
  {
    name: QOS_IFB_LEFT_BEHIND_FAULT,
    description: "Felix does not remove a deleted pod's bwcali IFB",
    topologies: CALICO_QOS,
    apply: async () => undefined,
  },
  {
    name: 'qos-annotations-dropped',
    description: 'the QoS pods were applied without their qos.projectcalico.org annotations (an edited manifest), so Felix shapes nothing',
    topologies: CALICO_QOS,
    apply: async (state) => {
      for (const name of ['iperf-server-qos', 'iperf-client-qos']) {
        const annotations = pod(state, name).annotations;
        delete annotations[INGRESS_BANDWIDTH_ANNOTATION];
        delete annotations[EGRESS_BANDWIDTH_ANNOTATION];
      }
      await reprogramQos(state, 'qos-annotations-dropped');
    },
  },
  {
    name: 'iperf-client-qos-on-control-plane',
    description: 'iperf-client-qos tolerates the control-plane taint and was scheduled there',
    topologies: CALICO_QOS,
    apply: async (state) => {
      const client = pod(state, 'iperf-client-qos');
      const controlPlane = state.nodes.find((node) => node.role === 'control-plane');
      if (!controlPlane) throw new Error(`lab ${state.name} has no control-plane node`);
      const request = {
        namespace: client.namespace,
        name: client.name,
        node: controlPlane.name,
        labels: client.labels,
        annotations: {
          [INGRESS_BANDWIDTH_ANNOTATION]: client.annotations[INGRESS_BANDWIDTH_ANNOTATION] as string,
          [EGRESS_BANDWIDTH_ANNOTATION]: client.annotations[EGRESS_BANDWIDTH_ANNOTATION] as string,
        },
      };
      await cniDel(state, client);
      await cniAdd(state, request);
    },
  },
  {
    name: 'iperf-server-qos-wrong-target-port',
    description: 'Service iperf-server-qos sends port 5201 to targetPort 5202, where nothing listens',
    topologies: CALICO_QOS,
    apply: async (state) => {
      const service = state.services.find((candidate) => candidate.name === 'iperf-server-qos');
      if (!service) throw new Error(`lab ${state.name} has no Service iperf-server-qos`);
      service.ports = service.ports.map((port) => ({ ...port, targetPort: 5202 }));
    },
  },
];
