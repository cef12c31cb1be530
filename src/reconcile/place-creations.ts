// Place every pod the owners asked for in one batch (each placement charged before the next),
// then resolve each one's references for the chosen host into a createPod action; a pod that
// finds no host, or whose references do not resolve, is shown Pending with why. Pure.
import {
  buildHostViews,
  type ClaimBindings,
  placedFromObserved,
  schedulePods,
} from '../controllers/scheduler.js';
import { GPU_RESOURCE, GpuAllocator, type GpuAssignment } from '../controllers/scheduler-devices.js';
import { serviceEnvVars, serviceHostAliases } from '../controllers/services/pod-service-links.js';
import type { ResolvedService } from '../controllers/services/resolve.js';
import type { DesiredPod } from '../model/desired.js';
import type { ObservedHost, ObservedPod } from '../model/observed.js';
import type { PodView } from '../model/views.js';
import { materializePod } from './materialize-pod.js';
import type { Creation, PassCollector } from './pass-context.js';

export function placeCreations(
  pass: PassCollector,
  /** The hosts as the pass judges them (taints included). */
  hosts: readonly ObservedHost[],
  placed: readonly ObservedPod[],
  /** The Services new pods learn about at start (env vars, /etc/hosts). */
  services: readonly ResolvedService[],
  /** Where the PersistentVolumeClaims are bound and who uses them. */
  claims?: ClaimBindings,
): void {
  const { creations } = pass;
  if (creations.length === 0) return;
  // Pods this pass deletes are terminating for the scheduler (topology spread counts none), as
  // kube-scheduler sees the deletionTimestamp the controllers set before the new pods arrive.
  const deleting = new Set(
    pass.actions.flatMap((a) =>
      a.type === 'deletePod' ? [`${a.pod.host}/${a.pod.namespace}/${a.pod.name}`] : [],
    ),
  );
  const result = schedulePods(
    creations.map((c) => c.pod),
    buildHostViews(
      hosts,
      placed.map((p) =>
        placedFromObserved(
          deleting.has(`${p.host}/${p.namespace}/${p.name}`) ? { ...p, terminating: true } : p,
        ),
      ),
    ),
    { random: pass.input.random, services, ...(claims ? { claims } : {}) },
  );
  const unschedulable = new Map(
    result.unschedulable.map((u) => [`${u.pod.namespace}/${u.pod.name}`, u.message]),
  );
  const failedOwners = new Set<string>();
  const hostsByName = new Map(hosts.map((h) => [h.name, h]));
  const gpus = new GpuAllocator(placed);
  for (const c of creations) {
    const { pod, ctx } = c;
    const hostName = result.placements.get(`${pod.namespace}/${pod.name}`);
    const host = hostName === undefined ? undefined : hostsByName.get(hostName);
    let pending = unschedulable.get(`${pod.namespace}/${pod.name}`);
    if (host) {
      const m = materializePod({
        app: ctx.app.name,
        commit: ctx.app.commit,
        name: pod.name,
        namespace: pod.namespace,
        owner: pod.owner,
        templateHash: c.hash,
        labels: c.labels,
        ...(c.annotations ? { annotations: c.annotations } : {}),
        spec: pod.spec,
        host: { name: host.name, address: host.address, capacity: host.capacity },
        config: ctx.config,
        serviceEnv: serviceEnvVars(pod.namespace, services),
        extraHosts: serviceHostAliases(pod.namespace, services),
        claims: ctx.claims,
      });
      const devices = m.problems.length === 0 ? gpus.assign(host, pod.spec) : undefined;
      if (m.problems.length === 0 && devices !== 'unavailable') {
        const desired = devices ? withGpus(m.pod, devices) : m.pod;
        pass.actions.push({ type: 'createPod', host: host.name, pod: desired, reason: c.reason });
        continue;
      }
      // The kubelet's admission error when its device manager cannot allocate.
      pending =
        devices === 'unavailable'
          ? `UnexpectedAdmissionError: requested number of devices unavailable for ${GPU_RESOURCE} on host/${host.name}`
          : `CreateContainerConfigError: ${m.problems.join('; ')}`;
    }
    notPlaced(pass, c, pending ?? 'Pending', failedOwners);
  }
}

/** The pod with its GPU indices: on the pod (its label) and on each container that asked. */
function withGpus(pod: DesiredPod, devices: GpuAssignment): DesiredPod {
  const give = <T extends { name: string }>(c: T): T =>
    devices.containers[c.name] ? { ...c, gpuDevices: devices.containers[c.name] } : c;
  return {
    ...pod,
    gpuDevices: devices.pod,
    containers: pod.containers.map(give),
    ...(pod.initContainers ? { initContainers: pod.initContainers.map(give) } : {}),
  };
}

/** A pod left Pending: its view, and one event per owner and pass. */
function notPlaced(pass: PassCollector, c: Creation, reason: string, failedOwners: Set<string>): void {
  const { pod } = c;
  pass.podViews.push(pendingView(c, reason));
  const ownerName = `${pod.owner.kind.toLowerCase()}/${pod.owner.name}`;
  if (failedOwners.has(ownerName)) return;
  failedOwners.add(ownerName);
  pass.events.push({
    type: 'Warning',
    reason: reason.startsWith('CreateContainerConfigError') ? 'Failed' : 'FailedScheduling',
    object: ownerName,
    namespace: pod.namespace,
    message: reason,
  });
}

function pendingView(c: Creation, reason: string): PodView {
  const configError = reason.startsWith('CreateContainerConfigError');
  return {
    namespace: c.pod.namespace,
    name: c.pod.name,
    app: c.ctx.app.name,
    owner: c.pod.owner,
    phase: 'Pending',
    status: configError ? 'CreateContainerConfigError' : 'Pending',
    ready: { ready: 0, total: c.pod.spec.containers.length },
    restarts: 0,
    templateHash: c.hash,
    commit: c.ctx.app.commit,
    labels: c.labels,
    conditions: [
      {
        type: 'PodScheduled',
        status: configError ? 'True' : 'False',
        reason: configError ? '' : 'Unschedulable',
        message: reason,
      },
    ],
    containers: [],
    pendingReason: reason,
  };
}
