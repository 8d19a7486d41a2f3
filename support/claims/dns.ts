/** Claims about a pod's DNS configuration. */
import type { PodInfo } from '../domain.ts';
import type { Cluster } from '../cluster/cluster.ts';
import { list, type Verdict, verdict } from '../evidence.ts';
import { resolvConf } from '../probes/resolv.ts';
import { podTarget } from '../subjects.ts';

export async function nameserverIsClusterDns(cluster: Cluster, pod: PodInfo): Promise<Verdict> {
  const [dnsIP, seen] = await Promise.all([cluster.dnsServiceIP(), resolvConf(cluster, podTarget(pod))]);
  return verdict(
    seen.value.nameservers.length === 1 && seen.value.nameservers[0] === dnsIP,
    `pod ${pod.name} to use the cluster DNS Service ${dnsIP} as its only nameserver`,
    list(seen.value.nameservers),
    seen.evidence,
  );
}

/** `<pod namespace>` in the expected list stands for the pod's own namespace. */
export async function searchListStartsWith(cluster: Cluster, pod: PodInfo, expectedText: string): Promise<Verdict> {
  const seen = await resolvConf(cluster, podTarget(pod));
  const expected = expectedText.replaceAll('<pod namespace>', pod.namespace).split(/\s+/).filter(Boolean);
  const actual = seen.value.search;
  return verdict(
    expected.every((domain, index) => actual[index] === domain),
    `the search list of pod ${pod.name} to start with ${expected.join(' ')}`,
    actual.join(' ') || 'no search list',
    seen.evidence,
  );
}

export async function resolvOption(cluster: Cluster, pod: PodInfo, option: string): Promise<Verdict> {
  const seen = await resolvConf(cluster, podTarget(pod));
  const [name, value] = option.split(':') as [string, string | undefined];
  const actual = seen.value.options[name];
  const shown = Object.entries(seen.value.options).map(([key, v]) => (v === true ? key : `${key}:${v}`));
  return verdict(
    value === undefined ? actual !== undefined : actual === value,
    `pod ${pod.name}'s resolv.conf to set options ${option}`,
    list(shown),
    seen.evidence,
  );
}
