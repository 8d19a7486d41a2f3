/**
 * The Calico resources BGP is configured with, as the lab reads them from a lesson's
 * manifests: BGPConfiguration `default`, BGPPeers, and the IP pools' BGP-relevant fields.
 * Field names and defaults follow api/pkg/apis/projectcalico/v3 (Calico v3.30.0).
 */
import { parseAllDocuments } from 'yaml';
import { parseCidr } from './cidr.ts';
import { compileSelector } from './calico-selector.ts';

export interface PrefixAdvertisement {
  cidr: string;
  /** `aa:nn` (standard) or `aa:nn:mm` (large) communities. */
  communities: string[];
}

export interface BgpConfiguration {
  /** Calico's default AS is 64512 when the resource leaves it out. */
  asNumber: number;
  nodeToNodeMeshEnabled: boolean;
  serviceLoadBalancerIPs: string[];
  serviceClusterIPs: string[];
  serviceExternalIPs: string[];
  prefixAdvertisements: PrefixAdvertisement[];
  logSeverityScreen: string;
}

export interface BgpPeer {
  name: string;
  peerIP: string;
  asNumber: number;
  /** Empty with `node` empty: a global peer of every node. */
  nodeSelector: string;
  node: string;
}

export interface BgpPool {
  name: string;
  cidr: string;
  disableBGPExport: boolean;
  /** `vxlanMode`/`ipipMode` as the pool resource holds them (Never, Always, CrossSubnet). */
  vxlanMode: 'Never' | 'Always' | 'CrossSubnet';
  ipipMode: 'Never' | 'Always' | 'CrossSubnet';
  allowedUses: ('Workload' | 'Tunnel' | 'LoadBalancer')[];
}

/** How confd's bird.cfg.template names a BGP session's BIRD protocol: `<kind>_<peer IP with underscores>`. */
export type SessionKind = 'Global' | 'Node' | 'Mesh';

export function protocolName(kind: SessionKind, ip: string): string {
  return `${kind}_${ip.split('.').join('_')}`;
}

/** A node-to-node mesh session (`Mesh_<ip>`). */
export const isMeshProtocol = (name: string): boolean => name.startsWith('Mesh_');

export const DEFAULT_AS_NUMBER = 64512;

export function defaultBgpConfiguration(): BgpConfiguration {
  return {
    asNumber: DEFAULT_AS_NUMBER,
    nodeToNodeMeshEnabled: true,
    serviceLoadBalancerIPs: [],
    serviceClusterIPs: [],
    serviceExternalIPs: [],
    prefixAdvertisements: [],
    logSeverityScreen: 'Info',
  };
}

type Doc = Record<string, any>;

const cidrList = (items: unknown): string[] => ((items as Doc[] | undefined) ?? []).map((item) => String(item.cidr));

export function bgpConfigurationFrom(doc: Doc): BgpConfiguration {
  const spec = (doc.spec ?? {}) as Doc;
  const config: BgpConfiguration = {
    asNumber: Number(spec.asNumber ?? DEFAULT_AS_NUMBER),
    nodeToNodeMeshEnabled: spec.nodeToNodeMeshEnabled !== false,
    serviceLoadBalancerIPs: cidrList(spec.serviceLoadBalancerIPs),
    serviceClusterIPs: cidrList(spec.serviceClusterIPs),
    serviceExternalIPs: cidrList(spec.serviceExternalIPs),
    prefixAdvertisements: ((spec.prefixAdvertisements as Doc[] | undefined) ?? []).map((item) => ({
      cidr: String(item.cidr),
      communities: ((item.communities as unknown[] | undefined) ?? []).map(String),
    })),
    logSeverityScreen: String(spec.logSeverityScreen ?? 'Info'),
  };
  [
    ...config.serviceLoadBalancerIPs,
    ...config.serviceClusterIPs,
    ...config.serviceExternalIPs,
    ...config.prefixAdvertisements.map((p) => p.cidr),
  ].forEach((cidr) => parseCidr(cidr));
  for (const advertisement of config.prefixAdvertisements) {
    for (const community of advertisement.communities) {
      if (!/^\d+:\d+(:\d+)?$/.test(community))
        throw new Error(
          `BGPConfiguration: community "${community}" is not aa:nn or aa:nn:mm (named communities are not supported by the lab)`,
        );
    }
  }
  return config;
}

export function bgpPeerFrom(doc: Doc): BgpPeer {
  const spec = (doc.spec ?? {}) as Doc;
  const peer: BgpPeer = {
    name: String(doc.metadata?.name),
    peerIP: String(spec.peerIP ?? ''),
    asNumber: Number(spec.asNumber),
    nodeSelector: String(spec.nodeSelector ?? ''),
    node: String(spec.node ?? ''),
  };
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(peer.peerIP))
    throw new Error(
      `BGPPeer ${peer.name}: peerIP "${peer.peerIP}" is not an IPv4 address (peerSelector and ports are not supported by the lab)`,
    );
  if (!Number.isInteger(peer.asNumber)) throw new Error(`BGPPeer ${peer.name}: asNumber is missing`);
  if (peer.nodeSelector) compileSelector(peer.nodeSelector);
  return peer;
}

/** An IPPool resource (projectcalico.org/v3) or an Installation's `calicoNetwork.ipPools` entry. */
export function bgpPoolFrom(doc: Doc): BgpPool {
  const isInstallationEntry = doc.kind === undefined;
  const spec = (isInstallationEntry ? doc : (doc.spec ?? {})) as Doc;
  const name = String(isInstallationEntry ? doc.name : doc.metadata?.name);
  let vxlanMode = (spec.vxlanMode ?? 'Never') as BgpPool['vxlanMode'];
  let ipipMode = (spec.ipipMode ?? 'Never') as BgpPool['ipipMode'];
  if (isInstallationEntry) {
    const encapsulation = String(spec.encapsulation ?? 'IPIP');
    vxlanMode = encapsulation === 'VXLAN' ? 'Always' : encapsulation === 'VXLANCrossSubnet' ? 'CrossSubnet' : 'Never';
    ipipMode = encapsulation === 'IPIP' ? 'Always' : encapsulation === 'IPIPCrossSubnet' ? 'CrossSubnet' : 'Never';
  }
  const pool: BgpPool = {
    name,
    cidr: String(spec.cidr),
    disableBGPExport: spec.disableBGPExport === true,
    vxlanMode,
    ipipMode,
    allowedUses: (spec.allowedUses as BgpPool['allowedUses'] | undefined) ?? ['Workload', 'Tunnel'],
  };
  parseCidr(pool.cidr);
  return pool;
}

export interface CalicoBgpObjects {
  configuration: BgpConfiguration;
  peers: BgpPeer[];
  pools: BgpPool[];
}

/** Reads the BGP-relevant resources out of manifests (any order, any other kinds ignored). */
export function calicoBgpObjectsFrom(yamlTexts: string[]): CalicoBgpObjects {
  const docs = yamlTexts.flatMap((text) =>
    parseAllDocuments(text).flatMap((doc) => {
      if (doc.errors.length > 0) throw new Error(`manifest: ${doc.errors[0]?.message}`);
      const value = doc.toJS() as Doc | null;
      return value ? [value] : [];
    }),
  );
  const configuration = docs.find((doc) => doc.kind === 'BGPConfiguration' && doc.metadata?.name === 'default');
  return {
    configuration: configuration ? bgpConfigurationFrom(configuration) : defaultBgpConfiguration(),
    peers: docs.filter((doc) => doc.kind === 'BGPPeer').map(bgpPeerFrom),
    pools: [
      ...docs
        .filter((doc) => doc.kind === 'Installation')
        .flatMap((doc) => ((doc.spec?.calicoNetwork?.ipPools as Doc[] | undefined) ?? []).map(bgpPoolFrom)),
      ...docs.filter((doc) => doc.kind === 'IPPool').map(bgpPoolFrom),
    ],
  };
}
