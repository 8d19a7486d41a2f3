/**
 * The embedded lab as the Kubernetes API of a Kind + Calico cluster would show it: the one
 * place that turns a LabState (support/lab/model.ts, read from the lab's state file)
 * into the objects the kind target reads.
 *
 *  - Nodes (InternalIP, Ready, the control-plane label and taint, Calico's node annotations);
 *  - Pods shaped like real ones (DaemonSet ownerReferences, containerStatuses, hostNetwork,
 *    podIP, nodeName, Calico's CNI annotations) and the DaemonSets that own them, with status;
 *  - the kube-dns Service (ClusterIP = the lab's dnsServiceIP) and kubeadm's kubeadm-config
 *    ConfigMap (networking.serviceSubnet), the Namespaces;
 *  - Calico: the operator's Installation, the IPPool and IPAMBlocks (crd.projectcalico.org/v1,
 *    allocations / attributes / unallocated as Calico's IPAM writes them, from the lab's IPAM
 *    state, with the handle and attributes the lab recorded). No WorkloadEndpoints: Calico v3.30
 *    stores none in Kubernetes-datastore mode; the pods carry the CNI plugin's annotations as
 *    the lab recorded them.
 *
 * Shapes follow test/fixtures/k8s/ (their shape sources are named there). Pure.
 *
 * What the lab does not model is not invented: no kube-system pods (CoreDNS, calico-node), no
 * node podCIDRs, no images pulled. The lab's pods are all the cluster has, on either target.
 */
import { createHash } from 'node:crypto';
import { parseCidr } from '../../support/net/cidr.ts';
import type { Encapsulation } from '../../support/net/calico.ts';
import { CONTROL_PLANE_LABEL } from '../../support/cluster/kind/parse-core.ts';
import { TUNNEL_HOLDER_PREFIX, endpointSlices, findPod, type LabNode, type LabPod, type LabState } from '../../support/lab/model.ts';
import type { WorkloadSpec } from '../../support/lab/workload-spec.ts';
import { imageOf } from './workload-images.ts';
import { operatorIpPool } from '../../support/lab/ipam/pool-resource.ts';
import { Ipam, isHostBlock } from '../../support/lab/ipam/ipam.ts';
import { CONTAINER_ID_ANNOTATION } from '../../support/net/calico.ts';

export type Obj = Record<string, any>;

/** The fault under which the DaemonSets do not tolerate the control-plane taint (faults.ts). */
const NO_CONTROL_PLANE_TOLERATION = 'no-control-plane-toleration';

export type LabObjectsOptions = Record<string, never>;

/** A stable UID per object (the same object keeps its UID from one read of the state to the next). */
export function stableUid(...parts: string[]): string {
  const h = createHash('sha1').update(parts.join('\0')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The container ID the runtime would give a pod's sandbox (Calico keys its IPAM handle on it). */
export function containerIdOf(state: LabState, namespace: string, pod: string): string {
  return createHash('sha256').update(`${state.name}\0${state.createdAt}\0${namespace}/${pod}`).digest('hex');
}

/** Calico's IPAMBlock name: the CIDR with dots and the slash turned into dashes. */
export function ipamBlockName(cidr: string): string {
  return cidr.replace(/[./:]/g, '-');
}

function timestamp(state: LabState): string {
  return state.createdAt.replace(/\.\d+Z$/, 'Z');
}

function meta(state: LabState, kind: string, name: string, namespace?: string, extra: Obj = {}): Obj {
  return {
    name,
    ...(namespace ? { namespace } : {}),
    uid: stableUid(state.name, state.createdAt, kind, namespace ?? '', name),
    creationTimestamp: timestamp(state),
    ...extra,
  };
}

// --- core -----------------------------------------------------------------------------------

export function namespaceObjects(state: LabState): Obj[] {
  const names = [
    ...new Set([
      'default',
      'kube-system',
      'kube-public',
      'kube-node-lease',
      'calico-system',
      'tigera-operator',
      ...state.pods.map((p) => p.namespace),
    ]),
  ].sort();
  return names.map((name) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: meta(state, 'Namespace', name, undefined, { labels: { 'kubernetes.io/metadata.name': name } }),
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  }));
}

export function nodeObject(state: LabState, node: LabNode): Obj {
  const controlPlane = node.role === 'control-plane';
  const ready = node.ready !== false;
  const prefix = parseCidr(state.spec.nodeNetwork).prefix;
  const at = timestamp(state);
  // A node whose kubelet stopped reporting (the node-not-ready fault): Ready Unknown, and the
  // node lifecycle controller's unreachable taints.
  const taints = [
    ...(controlPlane ? [{ key: CONTROL_PLANE_LABEL, effect: 'NoSchedule' }] : []),
    ...(ready
      ? []
      : [
          { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
          { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
        ]),
  ];
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: meta(state, 'Node', node.name, undefined, {
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': node.name,
        'kubernetes.io/os': 'linux',
        ...(controlPlane ? { [CONTROL_PLANE_LABEL]: '', 'node.kubernetes.io/exclude-from-external-load-balancers': '' } : {}),
        // The labels the lab's model gives the node (the Kind config's, or set by a scenario).
        ...(node.labels ?? {}),
      },
      annotations: {
        'kubeadm.alpha.kubernetes.io/cri-socket': 'unix:///run/containerd/containerd.sock',
        // What calico-node writes (libcalico-go k8s/resources/node.go): the autodetected address with
        // its prefix (eth1's in the containerlab family), the VXLAN tunnel address and its MAC.
        'projectcalico.org/IPv4Address': node.calicoAddress?.cidr ?? `${node.ip}/${prefix}`,
        ...(node.tunnelIP ? { 'projectcalico.org/IPv4VXLANTunnelAddr': node.tunnelIP } : {}),
        ...(node.tunnelMac ? { 'projectcalico.org/VXLANTunnelMACAddr': node.tunnelMac } : {}),
      },
    }),
    spec: {
      providerID: `kind://docker/${state.name}/${node.name}`,
      ...(taints.length ? { taints } : {}),
    },
    status: {
      addresses: [
        { address: node.nodeIP ?? node.ip, type: 'InternalIP' },
        { address: node.name, type: 'Hostname' },
      ],
      conditions: [
        {
          type: 'NetworkUnavailable',
          status: 'False',
          lastHeartbeatTime: at,
          lastTransitionTime: at,
          reason: 'CalicoIsUp',
          message: 'Calico is running on this node',
        },
        ready
          ? {
              type: 'Ready',
              status: 'True',
              lastHeartbeatTime: at,
              lastTransitionTime: at,
              reason: 'KubeletReady',
              message: 'kubelet is posting ready status',
            }
          : {
              type: 'Ready',
              status: 'Unknown',
              lastHeartbeatTime: at,
              lastTransitionTime: at,
              reason: 'NodeStatusUnknown',
              message: 'Kubelet stopped posting node status.',
            },
      ],
      nodeInfo: {
        architecture: 'amd64',
        containerRuntimeVersion: 'containerd://1.7.1',
        kubeletVersion: 'v1.28.0',
        operatingSystem: 'linux',
        osImage: 'Debian GNU/Linux 11 (bullseye)',
      },
    },
  };
}

function workloadOf(state: LabState, pod: LabPod): WorkloadSpec | undefined {
  return state.spec.workloads.find((w) => w.name === pod.workload && w.namespace === pod.namespace);
}

/** Whether the DaemonSet's pod template tolerates the control-plane taint. */
function toleratesControlPlane(state: LabState, workload: WorkloadSpec): boolean {
  return workload.toleratesControlPlane && !state.faults.includes(NO_CONTROL_PLANE_TOLERATION);
}

function tolerations(controlPlane: boolean): Obj[] {
  return [
    ...(controlPlane ? [{ key: CONTROL_PLANE_LABEL, operator: 'Exists', effect: 'NoSchedule' }] : []),
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ];
}

/** The status the kubelet reports for a lab pod: Running (the lab's pods always run), ready unless a fault says otherwise. */
export function podStatus(
  state: LabState,
  pod: LabPod,
  containers: string[],
  imageFor: (container: string) => string = (container) => imageOf(pod.workload, container),
): Obj {
  const at = timestamp(state);
  const node = state.nodes.find((n) => n.name === pod.node);
  const ready = pod.ready !== false;
  const flag = ready ? 'True' : 'False';
  return {
    phase: 'Running',
    conditions: [
      { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: at },
      {
        type: 'Ready',
        status: flag,
        lastProbeTime: null,
        lastTransitionTime: at,
        ...(ready ? {} : { reason: 'ContainersNotReady', message: `containers with unready status: [${containers.join(' ')}]` }),
      },
      {
        type: 'ContainersReady',
        status: flag,
        lastProbeTime: null,
        lastTransitionTime: at,
        ...(ready ? {} : { reason: 'ContainersNotReady', message: `containers with unready status: [${containers.join(' ')}]` }),
      },
      { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: at },
    ],
    hostIP: node?.ip,
    hostIPs: node ? [{ ip: node.ip }] : [],
    podIP: pod.ip,
    podIPs: [{ ip: pod.ip }],
    qosClass: 'Burstable',
    startTime: at,
    containerStatuses: containers.map((name) => ({
      name,
      ready,
      restartCount: 0,
      started: true,
      image: imageFor(name),
      imageID: '',
      containerID: `containerd://${createHash('sha256').update(`${pod.namespace}/${pod.name}/${name}`).digest('hex')}`,
      lastState: {},
      state: { running: { startedAt: at } },
    })),
  };
}

/**
 * A pod's UID: one per incarnation, as the API server gives each created object a new one. A
 * StatefulSet's pod recreated under its old name is a new object (the sandbox the lab's CNI
 * recorded, its containerID, tells the incarnations apart).
 */
export function podUid(state: LabState, namespace: string, name: string): string {
  const incarnation = findPod(state, namespace, name)?.annotations?.[CONTAINER_ID_ANNOTATION] ?? '';
  return stableUid(state.name, state.createdAt, 'Pod', namespace, name, incarnation);
}

export function podObject(state: LabState, pod: LabPod): Obj {
  const workload = workloadOf(state, pod);
  const daemonSet = pod.ownerKind === 'DaemonSet';
  const controlPlaneToleration = daemonSet && workload !== undefined && toleratesControlPlane(state, workload);
  // What the lab recorded as Calico's CNI plugin would (support/cluster/netns/model.ts addPod).
  const annotations: Obj = pod.hostNetwork ? {} : { ...(pod.annotations ?? {}) };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta(state, 'Pod', pod.name, pod.namespace, {
      uid: podUid(state, pod.namespace, pod.name),
      labels: { ...pod.labels, ...controllerLabels(pod) },
      ...(daemonSet ? { generateName: `${pod.workload}-` } : {}),
      ...(daemonSet
        ? {
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'DaemonSet',
                name: pod.workload,
                uid: daemonSetUid(state, pod.namespace, pod.workload),
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          }
        : {}),
      ...(pod.ownerKind === 'ReplicaSet' && pod.ownerName
        ? {
            generateName: `${pod.ownerName}-`,
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'ReplicaSet',
                name: pod.ownerName,
                uid: stableUid(state.name, state.createdAt, 'ReplicaSet', pod.namespace, pod.ownerName),
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          }
        : {}),
      ...(pod.ownerKind === 'StatefulSet'
        ? {
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'StatefulSet',
                name: pod.workload,
                uid: stableUid(state.name, state.createdAt, 'StatefulSet', pod.namespace, pod.workload),
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          }
        : {}),
      annotations,
    }),
    spec: {
      containers: pod.containers.map((name, index) => ({
        name,
        image: imageOf(pod.workload, name),
        imagePullPolicy: 'Always',
        // The pod's named ports (a Service's named targetPort resolves through them).
        ...(index === 0 && pod.ports
          ? { ports: Object.entries(pod.ports).map(([portName, p]) => ({ name: portName, containerPort: p.port, protocol: p.protocol })) }
          : {}),
      })),
      dnsPolicy: pod.dnsPolicy ?? (pod.hostNetwork ? 'ClusterFirstWithHostNet' : 'ClusterFirst'),
      enableServiceLinks: true,
      ...(pod.hostname ? { hostname: pod.hostname } : {}),
      ...(pod.subdomain ? { subdomain: pod.subdomain } : {}),
      ...(pod.hostNetwork ? { hostNetwork: true } : {}),
      nodeName: pod.node,
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
      serviceAccountName: 'default',
      terminationGracePeriodSeconds: 30,
      tolerations: tolerations(controlPlaneToleration),
    },
    status: podStatus(state, pod, pod.containers),
  };
}

/**
 * The labels a controller adds to its pods: the DaemonSet's controller-revision-hash and
 * pod-template-generation; the ReplicaSet's pod-template-hash (its name's suffix); the
 * StatefulSet's controller-revision-hash, statefulset.kubernetes.io/pod-name and, from
 * Kubernetes 1.28 (PodIndexLabel, beta), apps.kubernetes.io/pod-index
 * (pkg/controller/statefulset/stateful_set_utils.go).
 */
export function controllerLabels(pod: LabPod): Record<string, string> {
  switch (pod.ownerKind) {
    case 'DaemonSet':
      return {
        'controller-revision-hash': createHash('sha1').update(pod.workload).digest('hex').slice(0, 10),
        'pod-template-generation': '1',
      };
    case 'ReplicaSet': {
      const owner = pod.ownerName ?? pod.workload;
      return owner.startsWith(`${pod.workload}-`) ? { 'pod-template-hash': owner.slice(pod.workload.length + 1) } : {};
    }
    case 'StatefulSet': {
      const ordinal = pod.name.slice(pod.workload.length + 1);
      return {
        'controller-revision-hash': `${pod.workload}-${createHash('sha1').update(`${pod.namespace}/${pod.workload}`).digest('hex').slice(0, 10)}`,
        'statefulset.kubernetes.io/pod-name': pod.name,
        ...(/^\d+$/.test(ordinal) ? { 'apps.kubernetes.io/pod-index': ordinal } : {}),
      };
    }
    default:
      return {};
  }
}

function daemonSetUid(state: LabState, namespace: string, name: string): string {
  return stableUid(state.name, state.createdAt, 'DaemonSet', namespace, name);
}

/** A DaemonSet per DaemonSet workload of the lab, with the status the controller would report. */
export function daemonSetObject(state: LabState, workload: WorkloadSpec): Obj {
  const controlPlane = toleratesControlPlane(state, workload);
  const eligible = state.nodes.filter((node) => node.role === 'worker' || controlPlane);
  const pods = state.pods.filter(
    (pod) => pod.ownerKind === 'DaemonSet' && pod.workload === workload.name && pod.namespace === workload.namespace,
  );
  const ready = pods.filter((pod) => pod.ready !== false).length;
  const selector = workload.labels.app ? { app: workload.labels.app } : { ...workload.labels };
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: {
      ...meta(state, 'DaemonSet', workload.name, workload.namespace),
      uid: daemonSetUid(state, workload.namespace, workload.name),
      generation: 1,
      labels: { ...workload.labels },
    },
    spec: {
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: { ...workload.labels } },
        spec: {
          containers: workload.containers.map((name) => ({ name, image: imageOf(workload.name, name) })),
          ...(workload.hostNetwork ? { hostNetwork: true } : {}),
          tolerations: controlPlane ? [{ key: CONTROL_PLANE_LABEL, operator: 'Exists', effect: 'NoSchedule' }] : [],
        },
      },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
    },
    status: {
      currentNumberScheduled: pods.length,
      desiredNumberScheduled: eligible.length,
      numberAvailable: ready,
      numberMisscheduled: pods.filter((pod) => !eligible.some((node) => node.name === pod.node)).length,
      numberReady: ready,
      observedGeneration: 1,
      updatedNumberScheduled: pods.length,
    },
  };
}

/** Every Service of the lab's model (kubeadm's and the fixtures'), as the API server holds it. */
export function serviceObjects(state: LabState): Obj[] {
  return (state.services ?? []).map((service) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(state, 'Service', service.name, service.namespace, { labels: { ...service.labels } }),
    spec: {
      ports: service.ports.map((port) => ({
        ...(port.name ? { name: port.name } : {}),
        protocol: port.protocol,
        port: port.port,
        targetPort: port.targetPort,
        ...(port.nodePort ? { nodePort: port.nodePort } : {}),
      })),
      ...(service.selector ? { selector: { ...service.selector } } : {}),
      clusterIP: service.clusterIP,
      clusterIPs: [service.clusterIP],
      type: service.type,
      sessionAffinity: 'None',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      internalTrafficPolicy: 'Cluster',
    },
    // What Calico's LoadBalancer IPAM gave a LoadBalancer Service, as the lab's model holds it.
    status: { loadBalancer: service.loadBalancerIP ? { ingress: [{ ip: service.loadBalancerIP }] } : {} },
  }));
}

/** The EndpointSlices the controller (and, for `kubernetes`, the API server) keeps, from the lab's model. */
export function endpointSliceObjects(state: LabState): Obj[] {
  return endpointSlices(state).map((slice) => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: meta(state, 'EndpointSlice', slice.name, slice.namespace, { labels: { ...slice.labels } }),
    addressType: slice.addressType,
    endpoints: slice.endpoints.map((endpoint) => ({
      addresses: [...endpoint.addresses],
      conditions: { ...endpoint.conditions },
      ...(endpoint.hostname ? { hostname: endpoint.hostname } : {}),
      nodeName: endpoint.nodeName,
      ...(endpoint.targetRef
        ? {
            targetRef: {
              kind: 'Pod',
              namespace: endpoint.targetRef.namespace,
              name: endpoint.targetRef.name,
              uid: podUid(state, endpoint.targetRef.namespace, endpoint.targetRef.name),
            },
          }
        : {}),
    })),
    ports: slice.ports.map((port) => ({ ...(port.name ? { name: port.name } : {}), port: port.port, protocol: port.protocol })),
  }));
}

/** A Deployment per Deployment workload, with the status its controller reports. */
export function deploymentObject(state: LabState, workload: WorkloadSpec): Obj {
  const pods = state.pods.filter(
    (pod) => pod.ownerKind === 'ReplicaSet' && pod.workload === workload.name && pod.namespace === workload.namespace,
  );
  const ready = pods.filter((pod) => pod.ready !== false).length;
  const replicas = workload.replicas ?? 1;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { ...meta(state, 'Deployment', workload.name, workload.namespace), generation: 1, labels: { ...workload.labels } },
    spec: {
      replicas,
      selector: { matchLabels: workload.labels.app ? { app: workload.labels.app } : { ...workload.labels } },
      template: {
        metadata: { labels: { ...workload.labels } },
        spec: { containers: workload.containers.map((name) => ({ name, image: imageOf(workload.name, name) })) },
      },
    },
    status: { observedGeneration: 1, replicas: pods.length, updatedReplicas: pods.length, readyReplicas: ready, availableReplicas: ready },
  };
}

/** A StatefulSet per StatefulSet workload, with the status its controller reports (apps/v1 StatefulSetStatus). */
export function statefulSetObject(state: LabState, workload: WorkloadSpec): Obj {
  const pods = state.pods.filter(
    (pod) => pod.ownerKind === 'StatefulSet' && pod.workload === workload.name && pod.namespace === workload.namespace,
  );
  const ready = pods.filter((pod) => pod.ready !== false).length;
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: {
      ...meta(state, 'StatefulSet', workload.name, workload.namespace),
      uid: stableUid(state.name, state.createdAt, 'StatefulSet', workload.namespace, workload.name),
      generation: 1,
      labels: { ...workload.labels },
    },
    spec: {
      replicas: workload.replicas ?? 1,
      ...(workload.serviceName ? { serviceName: workload.serviceName } : {}),
      selector: { matchLabels: workload.labels.app ? { app: workload.labels.app } : { ...workload.labels } },
      template: {
        metadata: { labels: { ...workload.labels } },
        spec: { containers: workload.containers.map((name) => ({ name, image: imageOf(workload.name, name) })) },
      },
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
    },
    status: {
      observedGeneration: 1,
      replicas: pods.length,
      readyReplicas: ready,
      currentReplicas: pods.length,
      updatedReplicas: pods.length,
      availableReplicas: ready,
    },
  };
}

export function kubeDnsService(state: LabState): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(state, 'Service', 'kube-dns', 'kube-system', {
      labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
    }),
    spec: {
      ports: [
        { name: 'dns', protocol: 'UDP', port: 53, targetPort: 53 },
        { name: 'dns-tcp', protocol: 'TCP', port: 53, targetPort: 53 },
        { name: 'metrics', protocol: 'TCP', port: 9153, targetPort: 9153 },
      ],
      selector: { 'k8s-app': 'kube-dns' },
      clusterIP: state.dnsServiceIP,
      clusterIPs: [state.dnsServiceIP],
      type: 'ClusterIP',
      sessionAffinity: 'None',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      internalTrafficPolicy: 'Cluster',
    },
    status: { loadBalancer: {} },
  };
}

/** kubeadm's ClusterConfiguration, as Kind's kubeadm init stores it. */
export function kubeadmConfig(state: LabState): Obj {
  const controlPlane = state.nodes.find((node) => node.role === 'control-plane');
  const clusterConfiguration = [
    'apiServer:',
    '  certSANs:',
    '  - localhost',
    '  - 127.0.0.1',
    'apiVersion: kubeadm.k8s.io/v1beta3',
    `clusterName: ${state.name}`,
    `controlPlaneEndpoint: ${controlPlane?.name ?? state.name}:6443`,
    'kind: ClusterConfiguration',
    'kubernetesVersion: v1.28.0',
    'networking:',
    '  dnsDomain: cluster.local',
    `  podSubnet: ${state.spec.podSubnet}`,
    `  serviceSubnet: ${state.spec.serviceSubnet}`,
    '',
  ].join('\n');
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta(state, 'ConfigMap', 'kubeadm-config', 'kube-system'),
    data: { ClusterConfiguration: clusterConfiguration },
  };
}

// --- Calico ---------------------------------------------------------------------------------

function poolModes(encapsulation: Encapsulation): { vxlanMode: string; ipipMode: string } {
  switch (encapsulation) {
    case 'VXLAN':
      return { vxlanMode: 'Always', ipipMode: 'Never' };
    case 'VXLANCrossSubnet':
      return { vxlanMode: 'CrossSubnet', ipipMode: 'Never' };
    case 'IPIP':
      return { vxlanMode: 'Never', ipipMode: 'Always' };
    case 'IPIPCrossSubnet':
      return { vxlanMode: 'Never', ipipMode: 'CrossSubnet' };
    case 'None':
      return { vxlanMode: 'Never', ipipMode: 'Never' };
  }
}

/**
 * The operator's Installation, as built from fixtures/topologies/kind/calico-installation.yaml. Like the
 * fixture (and so the course's cluster) it sets no MTU in its spec; the operator reports the
 * MTU Calico uses in status.mtu.
 */
export function installationObject(state: LabState): Obj {
  const { pool } = state.spec;
  return {
    apiVersion: 'operator.tigera.io/v1',
    kind: 'Installation',
    metadata: meta(state, 'Installation', 'default', undefined, { generation: 1 }),
    spec: {
      calicoNetwork: {
        ipPools: [
          {
            name: pool.name,
            cidr: pool.cidr,
            blockSize: pool.blockSize,
            encapsulation: pool.encapsulation,
            natOutgoing: pool.natOutgoing ? 'Enabled' : 'Disabled',
            nodeSelector: 'all()',
          },
        ],
      },
      cni: { type: 'Calico', ipam: { type: 'Calico' } },
      variant: 'Calico',
    },
    status: { variant: 'Calico', calicoVersion: 'v3.30.0', mtu: state.mtu },
  };
}

/** Every pool of the lab (the default one, a LoadBalancer pool, lesson 09's extra ones), as IPPools. */
export function ipPoolObjects(state: LabState): Obj[] {
  return state.spec.pools.map((pool) => ipPoolObject(state, pool));
}

export function ipPoolObject(state: LabState, pool: LabState['spec']['pool'] = state.spec.pool): Obj {
  // As the operator writes it (support/lab/ipam/pool-resource.ts); disableBGPExport is omitempty in Calico's IPPoolSpec.
  const resource = operatorIpPool(pool);
  const spec = Object.fromEntries(
    Object.entries(resource.spec).filter(([key, value]) => value !== undefined && !(key === 'disableBGPExport' && value === false)),
  );
  return {
    apiVersion: 'crd.projectcalico.org/v1',
    kind: 'IPPool',
    metadata: meta(state, 'IPPool', pool.name, undefined, {
      generation: 1,
      labels: { ...resource.labels },
      annotations: { 'projectcalico.org/metadata': `{"creationTimestamp":"${timestamp(state)}"}` },
    }),
    spec,
  };
}

/** One attribute of an IPAM block: who holds the address, as Calico's IPAM records it. */
function attributeFor(state: LabState, holder: string, blockNode: string, recorded: Record<string, string> | undefined): Obj {
  // The lab keeps an allocation's attributes as Calico stores them: handle_id beside the secondary ones.
  if (recorded?.handle_id) {
    const { handle_id: handle, ...secondary } = recorded;
    return { handle_id: handle, secondary };
  }
  if (holder.startsWith(TUNNEL_HOLDER_PREFIX)) {
    const node = holder.slice(TUNNEL_HOLDER_PREFIX.length);
    return { handle_id: `vxlan-tunnel-addr-${node}`, secondary: { node, type: 'vxlanTunnelAddress' } };
  }
  const cut = holder.indexOf('/');
  const namespace = cut > 0 ? holder.slice(0, cut) : holder;
  const pod = cut > 0 ? holder.slice(cut + 1) : '';
  // The node of the workload (an address borrowed from another node's block keeps its own node).
  const node = state.pods.find((p) => p.namespace === namespace && p.name === pod)?.node ?? blockNode;
  return {
    handle_id: `k8s-pod-network.${containerIdOf(state, namespace, pod)}`,
    secondary: { namespace, node, pod, timestamp: `${state.createdAt.replace('T', ' ').replace(/Z$/, '')} +0000 UTC` },
  };
}

export function ipamBlockObjects(state: LabState): Obj[] {
  return state.ipam.blocks.map((block) => {
    const size = parseCidr(block.cidr).size;
    const ordinals = Object.keys(block.allocations)
      .map(Number)
      .sort((a, b) => a - b);
    const attributes = ordinals.map((ordinal) =>
      attributeFor(state, block.allocations[ordinal] as string, block.node, block.attributes?.[ordinal]),
    );
    const allocations: Array<number | null> = Array.from({ length: size }, () => null);
    ordinals.forEach((ordinal, index) => {
      allocations[ordinal] = index;
    });
    return {
      apiVersion: 'crd.projectcalico.org/v1',
      kind: 'IPAMBlock',
      metadata: meta(state, 'IPAMBlock', ipamBlockName(block.cidr), undefined, {
        annotations: { 'projectcalico.org/metadata': '{"creationTimestamp":null}' },
      }),
      spec: {
        affinity: `${isHostBlock(block) ? 'host' : 'virtual'}:${block.node}`,
        allocations,
        attributes,
        cidr: block.cidr,
        deleted: false,
        sequenceNumber: ordinals.length,
        sequenceNumberForAllocation: Object.fromEntries(ordinals.map((ordinal, index) => [String(ordinal), index])),
        strictAffinity: false,
        // Calico's order: the next address handed out is the first; a released one goes last.
        unallocated: [...block.unallocated],
      },
    };
  });
}

/** Calico's BlockAffinity per block (crd.projectcalico.org/v1): its node, CIDR, state and type, as the lab's IPAM keeps them. */
export function blockAffinityObjects(state: LabState): Obj[] {
  return Ipam.fromState(state.ipam)
    .affinities()
    .map((affinity) => ({
      apiVersion: 'crd.projectcalico.org/v1',
      kind: 'BlockAffinity',
      metadata: meta(state, 'BlockAffinity', affinity.name),
      spec: { cidr: affinity.cidr, deleted: affinity.deleted, node: affinity.node, state: affinity.state, type: affinity.type },
    }));
}

/** Every object the kind target reads, for the lab as its state file describes it now. */
export function labObjects(state: LabState, _options: LabObjectsOptions = {}): Obj[] {
  const daemonSets = state.spec.workloads.filter((w) => w.kind === 'DaemonSet');
  return [
    ...namespaceObjects(state),
    ...state.nodes.map((node) => nodeObject(state, node)),
    ...daemonSets.map((w) => daemonSetObject(state, w)),
    ...state.spec.workloads.filter((w) => w.kind === 'Deployment').map((w) => deploymentObject(state, w)),
    ...state.spec.workloads.filter((w) => w.kind === 'StatefulSet').map((w) => statefulSetObject(state, w)),
    ...state.pods.map((pod) => podObject(state, pod)),
    ...(state.services?.length ? serviceObjects(state) : [kubeDnsService(state)]),
    ...endpointSliceObjects(state),
    kubeadmConfig(state),
    installationObject(state),
    ...ipPoolObjects(state),
    ...ipamBlockObjects(state),
    ...blockAffinityObjects(state),
    ...bgpObjects(state),
    ...calicoNodePods(state),
  ];
}

export const CALICO_NODE_IMAGE = 'quay.io/calico/node:v3.30.0';

/** The calico-node pod's name on a node: the DaemonSet's name and a stable suffix, as its controller names them. */
export function calicoNodePodName(state: LabState, node: string): string {
  return `calico-node-${createHash('sha1').update(`${state.name}\0${node}`).digest('hex').slice(0, 5)}`;
}

/**
 * On a BGP topology, the calico-node pods the operator runs (calico-system, one per node,
 * hostNetwork): the kind target reaches each node's BIRD, and reads Felix's ipsets, through its
 * container `calico-node`. The lab runs BIRD per node; lab-apiserver.ts turns an exec in these
 * pods into a command on that node. Only on BGP topologies: the others' claims never reach them.
 */
export function calicoNodePods(state: LabState): Obj[] {
  if (!state.spec.bgp) return [];
  const at = timestamp(state);
  return state.nodes.map((node) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...meta(state, 'Pod', calicoNodePodName(state, node.name), 'calico-system'),
      labels: { 'k8s-app': 'calico-node' },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'DaemonSet',
          name: 'calico-node',
          uid: daemonSetUid(state, 'calico-system', 'calico-node'),
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      nodeName: node.name,
      hostNetwork: true,
      containers: [{ name: 'calico-node', image: CALICO_NODE_IMAGE }],
    },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: at }],
      hostIP: node.ip,
      podIP: node.ip,
      podIPs: [{ ip: node.ip }],
      startTime: at,
      containerStatuses: [
        {
          name: 'calico-node',
          ready: true,
          restartCount: 0,
          started: true,
          image: CALICO_NODE_IMAGE,
          imageID: '',
          containerID: `containerd://${createHash('sha256').update(`calico-node/${node.name}`).digest('hex')}`,
          lastState: {},
          state: { running: { startedAt: at } },
        },
      ],
    },
  }));
}

/**
 * Calico's BGPConfiguration and BGPPeers as the Kubernetes datastore stores them
 * (crd.projectcalico.org/v1, the spec of projectcalico.org/v3), from the resources the topology
 * applied (state.spec.bgp). Each BGP topology of the course applies a `default` BGPConfiguration.
 */
export function bgpObjects(state: LabState): Obj[] {
  const bgp = state.spec.bgp?.objects;
  if (!bgp) return [];
  const c = bgp.configuration;
  const cidrs = (list: string[]) => (list.length ? list.map((cidr) => ({ cidr })) : undefined);
  const configuration: Obj = {
    apiVersion: 'crd.projectcalico.org/v1',
    kind: 'BGPConfiguration',
    metadata: meta(state, 'BGPConfiguration', 'default'),
    spec: omitUndefined({
      asNumber: c.asNumber,
      nodeToNodeMeshEnabled: c.nodeToNodeMeshEnabled,
      logSeverityScreen: c.logSeverityScreen,
      serviceLoadBalancerIPs: cidrs(c.serviceLoadBalancerIPs),
      serviceClusterIPs: cidrs(c.serviceClusterIPs),
      serviceExternalIPs: cidrs(c.serviceExternalIPs),
      prefixAdvertisements: c.prefixAdvertisements.length ? c.prefixAdvertisements.map((p) => ({ ...p })) : undefined,
    }),
  };
  const peers = bgp.peers.map((peer) => ({
    apiVersion: 'crd.projectcalico.org/v1',
    kind: 'BGPPeer',
    metadata: meta(state, 'BGPPeer', peer.name),
    spec: omitUndefined({
      peerIP: peer.peerIP,
      asNumber: peer.asNumber,
      nodeSelector: peer.nodeSelector || undefined,
      node: peer.node || undefined,
    }),
  }));
  return [configuration, ...peers];
}

const omitUndefined = (obj: Obj): Obj => Object.fromEntries(Object.entries(obj).filter(([, value]) => value !== undefined));
