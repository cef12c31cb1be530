// A tiny in-memory world for driving reconcile passes: applies actions the way the runtime
// would (pods appear running, deletions remove them), with a fake clock. Pure test support.

import { validateBundle } from '../../../src/manifest/index.js';
import type { Action } from '../../../src/model/actions.js';
import type { KubeObject } from '../../../src/model/k8s.js';
import type { ObservedHost, ObservedPod } from '../../../src/model/observed.js';
import {
  type AppDesired,
  emptyPassInputs,
  type PassMemory,
  reconcilePass,
} from '../../../src/reconcile/pass.js';

export function objectsFrom(yaml: string): KubeObject[] {
  const r = validateBundle([{ path: 'app.yaml', text: yaml }]);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(errors.map((e) => e.message).join('\n'));
  return r.objects;
}

export function host(name: string, over: Partial<ObservedHost> = {}): ObservedHost {
  return {
    name,
    address: `10.0.0.${name.replace(/\D/g, '') || '1'}`,
    ready: true,
    labels: {},
    taints: [],
    capacity: { cpuMilli: 4000, memoryBytes: 8 * 1024 ** 3 },
    ...over,
  };
}

let seq = 0;

export class FakeWorld {
  pods: ObservedPod[] = [];
  constructor(public now = 1_000_000) {}

  apply(actions: Action[]): void {
    for (const a of actions) {
      if (a.type === 'createPod') {
        const p = a.pod;
        this.pods.push({
          host: a.host,
          name: p.name,
          namespace: p.namespace,
          app: p.app,
          ownerKind: p.owner.kind,
          ownerName: p.owner.name,
          templateHash: p.templateHash,
          commit: p.commit,
          labels: p.labels,
          spec: p.spec,
          ...(p.gpuDevices ? { gpuDevices: p.gpuDevices } : {}),
          createdAt: this.now,
          ip: `172.30.0.${++seq}`,
          publishedPorts: [],
          infra: { id: `infra-${seq}`, state: 'running' },
          containers: p.containers.map((c) => ({
            id: `c-${++seq}`,
            name: c.name,
            image: c.image,
            state: 'running',
            exitCode: 0,
            startedAt: this.now,
            restartCount: 0,
            labels: {},
          })),
          probes: {},
        });
      } else if (a.type === 'deletePod') {
        this.pods = this.pods.filter((p) => !(p.name === a.pod.name && p.host === a.pod.host));
      } else if (a.type === 'restartContainer') {
        const pod = this.pods.find((p) => p.name === a.pod.name && p.host === a.pod.host)!;
        pod.containers = pod.containers.map((c) =>
          c.name === a.container
            ? {
                ...c,
                id: `c-${++seq}`,
                state: 'running',
                restartCount: c.restartCount + 1,
                startedAt: this.now,
              }
            : c,
        );
      }
    }
  }
}

/** A seeded random source (deterministic pod names and tie-breaks). */
export function seeded(seed = 1) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

/** One reconcile pass over the world's pods. */
export function runPass(
  world: FakeWorld,
  apps: AppDesired[],
  hosts: ObservedHost[],
  memory: PassMemory,
  frozen: string[] = [],
) {
  return reconcilePass({
    apps,
    frozenApps: frozen,
    observed: { at: world.now, hosts, pods: world.pods },
    memory,
    now: world.now,
    random: seeded(),
    options: { hostGracePeriodMs: 40_000 },
    inputs: emptyPassInputs(),
  });
}
