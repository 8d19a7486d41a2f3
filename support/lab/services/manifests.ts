/** Service manifests (fixtures) read into ServiceSpecs. */
import type { ServicePortSpec, ServiceSpec, ServiceType } from './services.ts';

type Doc = Record<string, any>;

const TYPES: ServiceType[] = ['ClusterIP', 'NodePort', 'LoadBalancer'];

export function serviceSpecOf(doc: Doc, file: string): ServiceSpec {
  const name = String(doc.metadata?.name);
  const spec = (doc.spec ?? {}) as Doc;
  const type = String(spec.type ?? 'ClusterIP') as ServiceType;
  if (!TYPES.includes(type)) throw new Error(`${file}: Service ${name} has type "${type}" (the lab knows ${TYPES.join(', ')})`);
  const ports = ((spec.ports as Doc[] | undefined) ?? []).map((port): ServicePortSpec => {
    const protocol = String(port.protocol ?? 'TCP');
    if (protocol !== 'TCP' && protocol !== 'UDP') throw new Error(`${file}: Service ${name} port protocol "${protocol}" (TCP or UDP)`);
    const number = Number(port.port);
    if (!Number.isInteger(number) || number < 1 || number > 65535) throw new Error(`${file}: Service ${name} has port "${port.port}"`);
    const target = port.targetPort ?? number;
    return {
      ...(port.name === undefined ? {} : { name: String(port.name) }),
      port: number,
      protocol,
      targetPort: typeof target === 'number' ? target : /^\d+$/.test(String(target)) ? Number(target) : String(target),
      ...(port.nodePort === undefined ? {} : { nodePort: Number(port.nodePort) }),
    };
  });
  if (ports.length > 1 && ports.some((port) => !port.name))
    throw new Error(`${file}: Service ${name} has several ports, so each needs a name`);
  return {
    namespace: String(doc.metadata?.namespace ?? 'default'),
    name,
    type,
    ...(spec.clusterIP === undefined ? {} : { clusterIP: String(spec.clusterIP) }),
    ports,
    selector: spec.selector ? Object.fromEntries(Object.entries(spec.selector as Doc).map(([k, v]) => [k, String(v)])) : undefined,
    labels: Object.fromEntries(Object.entries((doc.metadata?.labels ?? {}) as Doc).map(([k, v]) => [k, String(v)])),
  };
}
