/**
 * Faults of the cluster DNS and of lesson 11's StatefulSet, as an operator meets them: CoreDNS
 * down, a Corefile with the wrong ttl or pod mode, CoreDNS forwarding to a dead upstream, pods
 * whose search list misses their namespace, a headless Service given a ClusterIP, and redis
 * replicas that no longer replicate.
 */
import { randomInt } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { intToIp, parseCidr } from '../../net/cidr.ts';
import { NETNS_ETC } from '../cni/cni.ts';
import { resolvConf } from '../cni/wiring.ts';
import type { Fault } from '../faults/fault.ts';
import { execIn } from '../kernel.ts';
import { killContainer, restartsOf, untilCrashLooping } from '../kubelet/kubelet.ts';
import type { LabState } from '../model.ts';
import { ordinalOf, runsRedis } from '../servers/redis.ts';
import { allocateClusterIP, HEADLESS } from '../services/services.ts';
import { coreDnsPods, corefileErrorPath } from './cluster-dns.ts';
import { DNS_PODS_DISABLED_FAULT, DNS_WRONG_TTL_FAULT } from './fault-names.ts';

function writePodResolvConf(netns: string, text: string): void {
  // In place (same inode): a server started with `ip netns exec` sees the file through its bind mount.
  writeFileSync(join(NETNS_ETC, netns, 'resolv.conf'), text);
}

const clusterFirstPods = (state: LabState) => state.pods.filter((pod) => !pod.hostNetwork && pod.dnsPolicy !== 'Default');

export const DNS_FAULTS: Fault[] = [
  {
    name: 'dns-server-gone',
    description:
      "the coredns ConfigMap's Corefile has a typo (kubernets) and CoreDNS was restarted: it exits at every start, the kubelet restarts it in back-off (CrashLoopBackOff), nothing answers on :53 and the pods are not Ready",
    apply: async (state) => {
      const pods = coreDnsPods(state);
      const containers = pods.map((pod) => ({ pod, container: 'coredns', before: restartsOf(state.name, pod, 'coredns') }));
      // CoreDNS 1.10's words for a Corefile it cannot load, on stderr, before it exits 1.
      writeFileSync(corefileErrorPath(state.name), "/etc/coredns/Corefile:4 - Error during parsing: Unknown directive 'kubernets'\n");
      for (const pod of pods) killContainer(state.name, pod, 'coredns');
      await untilCrashLooping(state.name, containers);
    },
  },
  {
    name: DNS_WRONG_TTL_FAULT,
    description: 'the Corefile sets `ttl 300` in the kubernetes block instead of kubeadm’s `ttl 30`',
    // The servers read the fault from the model (fault-names.ts) once it is recorded.
    apply: async () => {},
  },
  {
    name: DNS_PODS_DISABLED_FAULT,
    description: 'the Corefile says `pods disabled` instead of `pods insecure`: no A records for pod names',
    apply: async () => {},
  },
  {
    name: 'dns-forwarding-broken',
    description: "CoreDNS forwards to an upstream that does not answer (the coredns pods' resolv.conf names a dead resolver)",
    apply: async (state) => {
      const dead = intToIp(parseCidr(state.spec.nodeNetwork).base + 254);
      for (const pod of coreDnsPods(state))
        writePodResolvConf(pod.netns, resolvConf(state, pod).replace(/^nameserver .*$/m, `nameserver ${dead}`));
    },
  },
  {
    name: 'dns-search-list-wrong',
    description: "pods' resolv.conf search list lacks their own namespace's domain (<ns>.svc.cluster.local)",
    apply: async (state) => {
      for (const pod of clusterFirstPods(state))
        writePodResolvConf(pod.netns, resolvConf(state, pod).replace(`${pod.namespace}.svc.cluster.local `, ''));
    },
  },
  {
    name: 'headless-given-clusterip',
    description: 'the headless Services (nginx-headless, redis-headless) were created without `clusterIP: None`, so they got a ClusterIP',
    apply: async (state) => {
      const headless = state.services.filter((service) => service.clusterIP === HEADLESS);
      if (headless.length === 0) throw new Error('the lab has no headless Service to break');
      for (const service of headless)
        service.clusterIP = allocateClusterIP(
          state.spec.serviceSubnet,
          state.services.map((each) => each.clusterIP),
          randomInt,
        );
    },
  },
  {
    name: 'redis-replication-broken',
    description: 'the redis replicas were turned into masters of their own (REPLICAOF NO ONE): nothing replicates any more',
    apply: async (state) => {
      const replicas = state.pods.filter((pod) => runsRedis(pod) && ordinalOf(pod) !== 0);
      if (replicas.length === 0) throw new Error('the lab has no redis replica to break');
      await Promise.all(replicas.map((pod) => execIn(pod.netns, ['redis-cli', 'replicaof', 'no', 'one'])));
    },
  },
  {
    name: 'statefulset-pod-not-ready',
    description: "the StatefulSet's last pod fails its readiness probe: it runs, but is not Ready",
    apply: async (state) => {
      const last = state.pods.filter(runsRedis).sort((a, b) => ordinalOf(b) - ordinalOf(a))[0];
      if (!last) throw new Error('the lab has no StatefulSet pod to break');
      last.ready = false;
    },
  },
];
