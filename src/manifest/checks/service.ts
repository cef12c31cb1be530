// Checks of a Service (ValidateService upstream, within what skiff's data plane programs):
// selector, type-specific fields (externalName, clusterIP), each port, node port reuse.
// Pure.
import type { Service } from '../../model/k8s.js';
import {
  isDns1123Label,
  isDns1123Subdomain,
  isQualifiedName,
  isReservedKey,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
} from '../name-rules.js';
import type { Collector, P } from './collector.js';
import { checkProtocol } from './fields.js';

/** skiff programs node ports in Kubernetes' default range. */
export const NODE_PORT_RANGE = { min: 30000, max: 32767 } as const;

type ServiceSpec = Service['spec'];
type ServicePort = ServiceSpec['ports'][number];

function isIPv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
}

function checkServiceSelector(c: Collector, spec: ServiceSpec): void {
  for (const k of Object.keys(spec.selector)) {
    const at = ['spec', 'selector', k];
    if (isReservedKey(k))
      c.error(at, 'semantic.reserved-label', `selector key "${k}" uses skiff's reserved prefix "skiff.io/"`);
    else
      for (const e of isQualifiedName(k)) c.error(at, 'semantic.label', `invalid selector key "${k}": ${e}`);
    for (const e of isValidLabelValue(spec.selector[k]!))
      c.error(at, 'semantic.label', `invalid selector value "${spec.selector[k]}": ${e}`);
  }
}

function checkExternalName(c: Collector, spec: ServiceSpec): void {
  if (!spec.externalName)
    c.error(['spec', 'externalName'], 'semantic.service', 'externalName is required for type ExternalName');
  else
    for (const e of isDns1123Subdomain(spec.externalName.replace(/\.$/, '')))
      c.error(
        ['spec', 'externalName'],
        'semantic.service',
        `invalid externalName "${spec.externalName}": ${e}`,
      );
  if (spec.clusterIP)
    c.error(['spec', 'clusterIP'], 'semantic.service', 'must be empty for ExternalName services');
}

/** ClusterIP, NodePort, LoadBalancer: ports, and a clusterIP skiff can honour. */
function checkClusterService(c: Collector, spec: ServiceSpec): void {
  if (spec.externalName !== undefined)
    c.warn(['spec', 'externalName'], 'unsupported.field', `externalName is ignored for type ${spec.type}`);
  if (spec.ports.length === 0 && spec.clusterIP !== 'None')
    c.error(['spec', 'ports'], 'semantic.service', 'at least one port is required');
  const ip = spec.clusterIP;
  if (ip !== undefined && ip !== '' && ip !== 'None' && !isIPv4(ip))
    c.error(
      ['spec', 'clusterIP'],
      'semantic.service',
      `clusterIP "${ip}" must be "None", empty, or an IPv4 address`,
    );
  if (ip === 'None' && spec.type !== 'ClusterIP')
    c.error(['spec', 'clusterIP'], 'semantic.service', `may not be "None" for ${spec.type} services`);
}

/** A name when there are several ports (unique, as port/protocol and nodePort/protocol
 *  are: list-maps.ts). */
function checkPortIdentity(c: Collector, spec: ServiceSpec, p: ServicePort, at: P): void {
  if (spec.ports.length > 1 && !p.name)
    c.error(
      [...at, 'name'],
      'semantic.service-port',
      'name is required when a Service has more than one port',
    );
  if (p.name)
    for (const e of isDns1123Label(p.name))
      c.error([...at, 'name'], 'semantic.service-port', `invalid port name "${p.name}": ${e}`);
  for (const e of isValidPortNum(p.port))
    c.error([...at, 'port'], 'semantic.service-port', `port ${p.port}: ${e}`);
  checkProtocol(c, p.protocol, [...at, 'protocol']);
}

/** `rawTarget` is targetPort as written: a defaulted name (the port itself) is not checked. */
function checkTargetAndNodePort(
  c: Collector,
  spec: ServiceSpec,
  p: ServicePort,
  rawTarget: unknown,
  at: P,
): void {
  if (typeof p.targetPort === 'number') {
    for (const e of isValidPortNum(p.targetPort))
      c.error([...at, 'targetPort'], 'semantic.service-port', `targetPort ${p.targetPort}: ${e}`);
  } else if (rawTarget !== undefined) {
    for (const e of isValidPortName(p.targetPort))
      c.error(
        [...at, 'targetPort'],
        'semantic.service-port',
        `invalid targetPort name "${p.targetPort}": ${e}`,
      );
  }
  if (p.nodePort === undefined) return;
  if (spec.type === 'ClusterIP' || spec.type === 'ExternalName')
    c.error([...at, 'nodePort'], 'semantic.node-port', `may not be used when \`type\` is '${spec.type}'`);
  else if (p.nodePort < NODE_PORT_RANGE.min || p.nodePort > NODE_PORT_RANGE.max)
    c.error(
      [...at, 'nodePort'],
      'semantic.node-port',
      `nodePort ${p.nodePort} is outside the range ${NODE_PORT_RANGE.min}-${NODE_PORT_RANGE.max}`,
    );
}

export function checkService(c: Collector, s: Service, raw: Record<string, unknown>): void {
  const spec = s.spec;
  const rawPorts = ((raw.spec as Record<string, unknown>).ports ?? []) as Record<string, unknown>[];
  checkServiceSelector(c, spec);
  if (spec.type === 'ExternalName') checkExternalName(c, spec);
  else checkClusterService(c, spec);
  spec.ports.forEach((p, i) => {
    const at = ['spec', 'ports', i];
    checkPortIdentity(c, spec, p, at);
    checkTargetAndNodePort(c, spec, p, rawPorts[i]?.targetPort, at);
  });
}
