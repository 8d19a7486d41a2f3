/**
 * The rules kube-proxy writes in iptables mode, as a pure function of the Services and their
 * EndpointSlices. Follows syncProxyRules in pkg/proxy/iptables/proxier.go of Kubernetes v1.28
 * for what this lab has (ClusterIP, NodePort and LoadBalancer Services with externalTrafficPolicy
 * Cluster, clusterCIDR set, no session affinity, no loadBalancerSourceRanges): the chain layout, the comments, the rule arguments in kube-proxy's order,
 * the masquerade mark 0x4000, and the statistic probabilities 1/(n-i) printed with "%0.10f".
 * Headless Services (clusterIP None) get no rules. A Service port without ready endpoints
 * gets a REJECT in the filter table's KUBE-SERVICES instead of a KUBE-SVC chain.
 * A port with external destinations (its LoadBalancer IP, its nodePort) gets a KUBE-EXT chain:
 * KUBE-SERVICES sends `-d <LB IP>` ("<port> loadbalancer IP") and KUBE-NODEPORTS sends the
 * nodePort to it; it marks the connection for masquerade ("masquerade traffic for <port> external
 * destinations", the Cluster policy) and jumps to the KUBE-SVC chain.
 */
import { isHeadless, readyAddresses, type LabEndpointSlice, type LabService } from '../services/services.ts';
import {
  endpointChainName,
  externalChainName,
  KUBE_EXTERNAL_SERVICES,
  KUBE_FORWARD,
  KUBE_MARK_MASQ,
  KUBE_NODEPORTS,
  KUBE_POSTROUTING,
  KUBE_PROXY_FIREWALL,
  KUBE_SERVICES,
  serviceChainName,
  servicePortName,
  writtenProbability,
} from '../../net/kube-proxy.ts';

export const MASQUERADE_MARK = '0x4000';

export interface ProxyInput {
  services: LabService[];
  slices: LabEndpointSlice[];
  /** kube-proxy's --cluster-cidr (Kind: the podSubnet): traffic from outside it is masqueraded. */
  clusterCIDR: string;
  /** --masquerade-all: every Service connection marked for masquerade (a fault here). */
  masqueradeAll?: boolean;
  /** Probabilities 1/(i+1) instead of 1/(n-i) (a fault here). */
  probabilityReversed?: boolean;
  /** No masquerade rule in the KUBE-EXT chains (a fault here: externalTrafficPolicy Cluster without SNAT). */
  externalWithoutMasquerade?: boolean;
  /** No `loadbalancer IP` rules in KUBE-SERVICES (a fault here, on one node). */
  withoutLoadBalancerRules?: boolean;
  /**
   * --nodeport-addresses (a fault here): the node's addresses it admits. kube-proxy's proxier then
   * jumps to KUBE-NODEPORTS once per such address (`-d <ip>`), instead of for every local address.
   */
  nodePortAddresses?: string[];
}

export interface ProxyRules {
  /** `iptables-restore --noflush` input: kube-proxy's own chains of the filter and nat tables, rewritten whole. */
  restore: string;
  /** Every chain the restore defines, by table, to find stale ones on the next sync. */
  chains: { filter: string[]; nat: string[] };
}

/** The jumps into kube-proxy's chains from the built-in ones, which it ensures once (iptablesJumpChains). */
export const JUMP_RULES: { table: 'nat' | 'filter'; chain: string; args: string[] }[] = [
  {
    table: 'filter',
    chain: 'INPUT',
    args: [
      '-m',
      'conntrack',
      '--ctstate',
      'NEW',
      '-m',
      'comment',
      '--comment',
      'kubernetes load balancer firewall',
      '-j',
      KUBE_PROXY_FIREWALL,
    ],
  },
  {
    table: 'filter',
    chain: 'INPUT',
    args: ['-m', 'comment', '--comment', 'kubernetes health check service ports', '-j', KUBE_NODEPORTS],
  },
  {
    table: 'filter',
    chain: 'INPUT',
    args: [
      '-m',
      'conntrack',
      '--ctstate',
      'NEW',
      '-m',
      'comment',
      '--comment',
      'kubernetes externally-visible service portals',
      '-j',
      KUBE_EXTERNAL_SERVICES,
    ],
  },
  {
    table: 'filter',
    chain: 'FORWARD',
    args: [
      '-m',
      'conntrack',
      '--ctstate',
      'NEW',
      '-m',
      'comment',
      '--comment',
      'kubernetes load balancer firewall',
      '-j',
      KUBE_PROXY_FIREWALL,
    ],
  },
  { table: 'filter', chain: 'FORWARD', args: ['-m', 'comment', '--comment', 'kubernetes forwarding rules', '-j', KUBE_FORWARD] },
  {
    table: 'filter',
    chain: 'FORWARD',
    args: ['-m', 'conntrack', '--ctstate', 'NEW', '-m', 'comment', '--comment', 'kubernetes service portals', '-j', KUBE_SERVICES],
  },
  {
    table: 'filter',
    chain: 'FORWARD',
    args: [
      '-m',
      'conntrack',
      '--ctstate',
      'NEW',
      '-m',
      'comment',
      '--comment',
      'kubernetes externally-visible service portals',
      '-j',
      KUBE_EXTERNAL_SERVICES,
    ],
  },
  {
    table: 'filter',
    chain: 'OUTPUT',
    args: [
      '-m',
      'conntrack',
      '--ctstate',
      'NEW',
      '-m',
      'comment',
      '--comment',
      'kubernetes load balancer firewall',
      '-j',
      KUBE_PROXY_FIREWALL,
    ],
  },
  {
    table: 'filter',
    chain: 'OUTPUT',
    args: ['-m', 'conntrack', '--ctstate', 'NEW', '-m', 'comment', '--comment', 'kubernetes service portals', '-j', KUBE_SERVICES],
  },
  { table: 'nat', chain: 'OUTPUT', args: ['-m', 'comment', '--comment', 'kubernetes service portals', '-j', KUBE_SERVICES] },
  { table: 'nat', chain: 'PREROUTING', args: ['-m', 'comment', '--comment', 'kubernetes service portals', '-j', KUBE_SERVICES] },
  { table: 'nat', chain: 'POSTROUTING', args: ['-m', 'comment', '--comment', 'kubernetes postrouting rules', '-j', KUBE_POSTROUTING] },
];

const FILTER_CHAINS = [KUBE_SERVICES, KUBE_EXTERNAL_SERVICES, KUBE_FORWARD, KUBE_NODEPORTS, KUBE_PROXY_FIREWALL];
const NAT_CHAINS = [KUBE_SERVICES, KUBE_NODEPORTS, KUBE_POSTROUTING, KUBE_MARK_MASQ];

/** An argument as iptables-restore reads it: quoted when it holds a space. */
function arg(value: string): string {
  return /[\s"]/.test(value) ? `"${value.replace(/"/g, '\\"')}"` : value;
}

function line(...args: string[]): string {
  return args.map(arg).join(' ');
}

interface PortEndpoints {
  service: LabService;
  name: string;
  protocol: string;
  port: number;
  nodePort: number | undefined;
  /** `ip:port`, sorted as kube-proxy orders them. */
  endpoints: string[];
}

function servicePorts(input: ProxyInput): PortEndpoints[] {
  return input.services
    .filter((service) => !isHeadless(service))
    .flatMap((service) => {
      const slice = input.slices.find(
        (candidate) => candidate.namespace === service.namespace && candidate.labels['kubernetes.io/service-name'] === service.name,
      );
      return service.ports.map((port) => {
        const slicePort = slice?.ports.find((candidate) => candidate.name === (port.name ?? '') && candidate.protocol === port.protocol);
        const endpoints = slicePort ? readyAddresses(slice).map((ip) => `${ip}:${slicePort.port}`) : [];
        return {
          service,
          name: servicePortName(service.namespace, service.name, port.name),
          protocol: port.protocol.toLowerCase(),
          port: port.port,
          nodePort: port.nodePort,
          endpoints: [...new Set(endpoints)].sort(),
        };
      });
    });
}

export function proxyRules(input: ProxyInput): ProxyRules {
  const filterRules: string[] = [];
  const natRules: string[] = [];
  const natChains = [...NAT_CHAINS];
  for (const port of servicePorts(input)) {
    const match = ['-m', port.protocol, '-p', port.protocol, '-d', port.service.clusterIP, '--dport', String(port.port)];
    if (port.endpoints.length === 0) {
      filterRules.push(line('-A', KUBE_SERVICES, '-m', 'comment', '--comment', `${port.name} has no endpoints`, ...match, '-j', 'REJECT'));
      continue;
    }
    const svcChain = serviceChainName(port.name, port.protocol);
    natChains.push(svcChain);
    natRules.push(line('-A', KUBE_SERVICES, '-m', 'comment', '--comment', `${port.name} cluster IP`, ...match, '-j', svcChain));
    const extChain = externalChainName(port.name, port.protocol);
    const lbIP = port.service.type === 'LoadBalancer' ? port.service.loadBalancerIP : undefined;
    if (lbIP && !input.withoutLoadBalancerRules) {
      natRules.push(
        line(
          '-A',
          KUBE_SERVICES,
          '-m',
          'comment',
          '--comment',
          `${port.name} loadbalancer IP`,
          '-m',
          port.protocol,
          '-p',
          port.protocol,
          '-d',
          lbIP,
          '--dport',
          String(port.port),
          '-j',
          extChain,
        ),
      );
    }
    if (port.nodePort !== undefined) {
      natRules.push(
        line(
          '-A',
          KUBE_NODEPORTS,
          '-m',
          'comment',
          '--comment',
          port.name,
          '-m',
          port.protocol,
          '-p',
          port.protocol,
          '--dport',
          String(port.nodePort),
          '-j',
          extChain,
        ),
      );
    }
    const notFromPods = input.masqueradeAll ? [] : ['!', '-s', input.clusterCIDR];
    natRules.push(
      line('-A', svcChain, '-m', 'comment', '--comment', `${port.name} cluster IP`, ...match, ...notFromPods, '-j', KUBE_MARK_MASQ),
    );
    if (lbIP !== undefined || port.nodePort !== undefined) {
      natChains.push(extChain);
      if (!input.externalWithoutMasquerade)
        natRules.push(
          line(
            '-A',
            extChain,
            '-m',
            'comment',
            '--comment',
            `masquerade traffic for ${port.name} external destinations`,
            '-j',
            KUBE_MARK_MASQ,
          ),
        );
      natRules.push(line('-A', extChain, '-j', svcChain));
    }
    const n = port.endpoints.length;
    port.endpoints.forEach((endpoint, i) => {
      const sepChain = endpointChainName(port.name, port.protocol, endpoint);
      const chance =
        i < n - 1
          ? ['-m', 'statistic', '--mode', 'random', '--probability', writtenProbability(input.probabilityReversed ? i + 1 : n - i)]
          : [];
      natRules.push(line('-A', svcChain, '-m', 'comment', '--comment', `${port.name} -> ${endpoint}`, ...chance, '-j', sepChain));
    });
    for (const endpoint of port.endpoints) {
      const sepChain = endpointChainName(port.name, port.protocol, endpoint);
      natChains.push(sepChain);
      const ip = endpoint.slice(0, endpoint.lastIndexOf(':'));
      natRules.push(line('-A', sepChain, '-m', 'comment', '--comment', port.name, '-s', ip, '-j', KUBE_MARK_MASQ));
      natRules.push(
        line(
          '-A',
          sepChain,
          '-m',
          'comment',
          '--comment',
          port.name,
          '-m',
          port.protocol,
          '-p',
          port.protocol,
          '-j',
          'DNAT',
          '--to-destination',
          endpoint,
        ),
      );
    }
  }
  const toNodePorts = ['-m', 'comment', '--comment', 'kubernetes service nodeports; NOTE: this must be the last rule in this chain'];
  if (input.nodePortAddresses === undefined)
    natRules.push(line('-A', KUBE_SERVICES, ...toNodePorts, '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', KUBE_NODEPORTS));
  else
    for (const address of input.nodePortAddresses)
      natRules.push(line('-A', KUBE_SERVICES, '-d', `${address}/32`, ...toNodePorts, '-j', KUBE_NODEPORTS));
  natRules.push(
    line('-A', KUBE_POSTROUTING, '-m', 'mark', '!', '--mark', `${MASQUERADE_MARK}/${MASQUERADE_MARK}`, '-j', 'RETURN'),
    line('-A', KUBE_POSTROUTING, '-j', 'MARK', '--xor-mark', MASQUERADE_MARK),
    line(
      '-A',
      KUBE_POSTROUTING,
      '-m',
      'comment',
      '--comment',
      'kubernetes service traffic requiring SNAT',
      '-j',
      'MASQUERADE',
      '--random-fully',
    ),
    line('-A', KUBE_MARK_MASQ, '-j', 'MARK', '--or-mark', MASQUERADE_MARK),
  );
  filterRules.push(
    line('-A', KUBE_FORWARD, '-m', 'conntrack', '--ctstate', 'INVALID', '-j', 'DROP'),
    line(
      '-A',
      KUBE_FORWARD,
      '-m',
      'comment',
      '--comment',
      'kubernetes forwarding rules',
      '-m',
      'mark',
      '--mark',
      `${MASQUERADE_MARK}/${MASQUERADE_MARK}`,
      '-j',
      'ACCEPT',
    ),
    line(
      '-A',
      KUBE_FORWARD,
      '-m',
      'comment',
      '--comment',
      'kubernetes forwarding conntrack rule',
      '-m',
      'conntrack',
      '--ctstate',
      'RELATED,ESTABLISHED',
      '-j',
      'ACCEPT',
    ),
  );
  return {
    restore: tableText('filter', FILTER_CHAINS, filterRules) + tableText('nat', natChains, natRules),
    chains: { filter: [...FILTER_CHAINS], nat: natChains },
  };
}

function tableText(table: string, chains: string[], rules: string[]): string {
  return [`*${table}`, ...chains.map((chain) => `:${chain} - [0:0]`), ...rules, 'COMMIT', ''].join('\n');
}

/**
 * The restore input of a sync on a node that already holds `existing` KUBE-SVC/KUBE-SEP chains:
 * the new rules, and stale service and endpoint chains flushed and deleted, as kube-proxy does.
 */
export function syncRestore(rules: ProxyRules, existingNat: string[]): string {
  const stale = existingNat.filter((chain) => /^KUBE-(SVC|SEP|SVL|EXT|FW)-/.test(chain) && !rules.chains.nat.includes(chain));
  if (stale.length === 0) return rules.restore;
  const filterEnd = rules.restore.indexOf('COMMIT\n') + 'COMMIT\n'.length;
  const natPart = rules.restore.slice(filterEnd);
  const withStale = natPart
    .replace('COMMIT\n', `${stale.map((chain) => `-X ${chain}`).join('\n')}\nCOMMIT\n`)
    .replace('*nat\n', `*nat\n${stale.map((chain) => `:${chain} - [0:0]`).join('\n')}\n`);
  return rules.restore.slice(0, filterEnd) + withStale;
}

/**
 * The jump rules as one `iptables-restore --noflush` input (applied once per node; kube-proxy
 * prepends them): each `-I` in the order `iptables -I` would have run them one by one, so the
 * chains end up the same, in one process instead of one per rule.
 */
export function jumpRulesRestore(): string {
  const quote = (arg: string) => (/\s/.test(arg) ? `"${arg}"` : arg);
  const tables = [...new Set(JUMP_RULES.map((rule) => rule.table))];
  return tables
    .map((table) => {
      const lines = JUMP_RULES.filter((rule) => rule.table === table).map((rule) => ['-I', rule.chain, ...rule.args].map(quote).join(' '));
      return `*${table}\n${lines.join('\n')}\nCOMMIT\n`;
    })
    .join('');
}
