// Checks of one container of a pod spec (validateContainers upstream): name, image, ports,
// environment, resources, probes and hooks, volume mounts, in that order. Pure.
import type { Container } from '../../model/k8s.js';
import { imageReferenceProblem } from '../image-reference.js';
import { isDns1123Label, isValidPortName, isValidPortNum } from '../name-rules.js';
import type { Collector, P } from './collector.js';
import { checkEnv, checkEnvFrom } from './env.js';
import { checkProtocol, checkRelativePath } from './fields.js';
import { checkProbesAndHooks } from './probes.js';
import { checkResources } from './resources.js';
import { checkContainerSecurityContext } from './security-context.js';

function checkNameAndImage(c: Collector, ctr: Container, path: P): void {
  for (const e of isDns1123Label(ctr.name))
    c.error([...path, 'name'], 'semantic.name', `invalid container name "${ctr.name}": ${e}`);
  if (ctr.image.trim() === '')
    c.error([...path, 'image'], 'semantic.image', `container "${ctr.name}" needs an image`);
  else if (ctr.image !== ctr.image.trim())
    c.error([...path, 'image'], 'semantic.image', 'image must not have leading or trailing whitespace');
  else {
    const problem = imageReferenceProblem(ctr.image);
    if (problem)
      c.error(
        [...path, 'image'],
        'semantic.image',
        `invalid image reference ${JSON.stringify(ctr.image)}: ${problem}`,
      );
  }
}

function checkContainerPorts(c: Collector, ctr: Container, path: P): void {
  ctr.ports.forEach((p, i) => {
    const at = [...path, 'ports', i];
    for (const e of isValidPortNum(p.containerPort))
      c.error([...at, 'containerPort'], 'semantic.port', `containerPort ${p.containerPort}: ${e}`);
    if (p.hostPort !== undefined)
      for (const e of isValidPortNum(p.hostPort))
        c.error([...at, 'hostPort'], 'semantic.port', `hostPort ${p.hostPort}: ${e}`);
    checkProtocol(c, p.protocol, [...at, 'protocol']);
    if (p.name === undefined) return;
    for (const e of isValidPortName(p.name))
      c.error([...at, 'name'], 'semantic.port-name', `invalid port name "${p.name}": ${e}`);
  });
}

/** Mounts name a volume of the pod, at absolute paths (unique: list-maps.ts). */
function checkVolumeMounts(c: Collector, ctr: Container, path: P, volumes: ReadonlySet<string>): void {
  ctr.volumeMounts.forEach((m, i) => {
    const at = [...path, 'volumeMounts', i];
    if (!volumes.has(m.name))
      c.error(
        [...at, 'name'],
        'semantic.volume-mount',
        `volume "${m.name}" is not defined in the pod's volumes`,
      );
    if (!m.mountPath.startsWith('/'))
      c.error(
        [...at, 'mountPath'],
        'semantic.volume-mount',
        `mountPath "${m.mountPath}" must be an absolute path`,
      );
    if (m.subPath !== undefined) checkRelativePath(c, m.subPath, [...at, 'subPath']);
    if (m.subPathExpr !== undefined) checkRelativePath(c, m.subPathExpr, [...at, 'subPathExpr']);
    if (m.subPath && m.subPathExpr)
      c.error(
        [...at, 'subPathExpr'],
        'semantic.volume-mount',
        'subPathExpr and subPath are mutually exclusive',
      );
  });
}

/** `raw` is the container as written; `volumes` the names of the pod's volumes. */
export function checkContainer(
  c: Collector,
  ctr: Container,
  raw: Record<string, unknown>,
  path: P,
  volumes: ReadonlySet<string>,
): void {
  checkNameAndImage(c, ctr, path);
  checkContainerPorts(c, ctr, path);
  checkEnv(c, ctr, raw, path);
  checkEnvFrom(c, ctr, path);
  checkResources(c, ctr, raw, path);
  checkProbesAndHooks(c, ctr, path);
  checkVolumeMounts(c, ctr, path, volumes);
  checkContainerSecurityContext(c, ctr, path);
}
