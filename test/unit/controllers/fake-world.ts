// A small fake world for driving the Deployment controller pass by pass: it applies the
// controller's creations and deletions, makes pods ready after a delay (per template), keeps
// deleted pods around while they terminate, and advances a fake clock. It measures the safety
// rules after every pass.
import {
  type DeploymentMemory,
  type DeploymentResult,
  maxSurgeOf,
  maxUnavailableOf,
  type PodReadinessState,
  type PodReplacementPolicy,
  reconcileDeployment,
} from '../../../src/controllers/deployment.js';
import { generatePodName } from '../../../src/controllers/pod-name.js';
import { seededRandom } from '../../../src/controllers/seeded-random.js';
import type { Deployment } from '../../../src/model/k8s.js';
import type { ObservedPod } from '../../../src/model/observed.js';
import { observedPod } from './fixtures.js';

/** A small seeded PRNG for names and random world behaviour. */
export const seeded = seededRandom;

interface WorldPod {
  pod: ObservedPod;
  /** When it becomes ready (undefined: never). */
  readyAt?: number;
  /** When a terminating pod disappears. */
  goneAt?: number;
}

export interface WorldOptions {
  /** ms a pod of this template needs to become ready; undefined: never ready. */
  readyDelay: (templateHash: string, random: () => number) => number | undefined;
  /** ms a deleted pod keeps terminating. */
  terminationDelay?: (random: () => number) => number;
  /** Whether the shell flags terminating pods (ObservedPod.terminating) or only memory knows. */
  shellFlagsTerminating?: boolean;
  stepMs?: number;
  seed?: number;
  /** The Deployment's spec.podReplacementPolicy (unset: the strategy's default). */
  policy?: PodReplacementPolicy;
  hosts?: string[];
}

export interface StepCheck {
  now: number;
  total: number;
  live: number;
  available: number;
  result: DeploymentResult;
}

export class FakeWorld {
  now = 1_000_000;
  memory: DeploymentMemory | undefined;
  readonly pods = new Map<string, WorldPod>();
  readonly random: () => number;
  readonly stepMs: number;
  /** Pods of other owners present in the input: the controller must never touch them. */
  readonly foreign: ObservedPod[] = [];
  readonly deletedNames: string[] = [];

  constructor(
    public deployment: Deployment,
    public templateHash: string,
    readonly options: WorldOptions,
  ) {
    this.random = seeded(options.seed ?? 1);
    this.stepMs = options.stepMs ?? 1000;
  }

  /** Start from a settled Deployment: `count` ready pods of `hash`. */
  seed(hash: string, count: number): void {
    for (let i = 0; i < count; i++) this.addPod(hash, this.now - 3_600_000, this.now - 3_600_000);
  }

  private addPod(hash: string, createdAt: number, readyAt: number | undefined): ObservedPod {
    const name = generatePodName(this.deployment.metadata.name, hash, this.random);
    const hosts = this.options.hosts ?? ['h1', 'h2', 'h3'];
    const pod = observedPod(name, {
      hash,
      owner: this.deployment.metadata.name,
      createdAt,
      host: hosts[Math.floor(this.random() * hosts.length)]!,
    });
    this.pods.set(name, { pod, readyAt });
    return pod;
  }

  readiness(): Record<string, PodReadinessState> {
    const r: Record<string, PodReadinessState> = {};
    for (const [name, w] of this.pods) {
      // A pod being deleted may still pass its probes until it stops: only the shell's flag hides it.
      const ready = !w.pod.terminating && w.readyAt !== undefined && w.readyAt <= this.now;
      r[name] = ready ? { ready: true, readySince: w.readyAt } : { ready: false };
    }
    return r;
  }

  isAvailable(w: WorldPod): boolean {
    if (w.goneAt !== undefined || w.readyAt === undefined || w.readyAt > this.now) return false;
    const minReady = this.deployment.spec.minReadySeconds * 1000;
    return minReady === 0 || w.readyAt + minReady < this.now;
  }

  /** One pass: reconcile, apply its actions, measure. The clock advances before the pass. */
  step(): StepCheck {
    this.now += this.stepMs;
    for (const [name, w] of this.pods)
      if (w.goneAt !== undefined && w.goneAt <= this.now) this.pods.delete(name);
    const { policy } = this.options;
    const d = this.deployment;
    const result = reconcileDeployment({
      deployment: policy ? { ...d, spec: { ...d.spec, podReplacementPolicy: policy } } : d,
      templateHash: this.templateHash,
      pods: [...[...this.pods.values()].map((w) => w.pod), ...this.foreign],
      podReadiness: this.readiness(),
      memory: this.memory,
      now: this.now,
    });
    this.memory = result.memory;
    for (const d of result.delete) {
      const w = this.pods.get(d.pod.name);
      if (!w) throw new Error(`controller deleted a pod the world does not have: ${d.pod.name}`);
      this.deletedNames.push(d.pod.name);
      if (w.goneAt === undefined) {
        const delay = this.options.terminationDelay?.(this.random) ?? 0;
        w.goneAt = this.now + delay;
        if (this.options.shellFlagsTerminating) w.pod = { ...w.pod, terminating: true };
        if (delay === 0) this.pods.delete(d.pod.name);
      }
    }
    const create = (hash: string, n: number) => {
      for (let i = 0; i < n; i++) {
        const delay = this.options.readyDelay(hash, this.random);
        this.addPod(hash, this.now, delay === undefined ? undefined : this.now + delay);
      }
    };
    create(this.templateHash, result.create);
    for (const c of result.createOfRevision) create(c.templateHash, c.count);
    const all = [...this.pods.values()];
    return {
      now: this.now,
      total: all.length,
      live: all.filter((w) => w.goneAt === undefined).length,
      available: all.filter((w) => this.isAvailable(w)).length,
      result,
    };
  }

  podsOf(hash: string): WorldPod[] {
    return [...this.pods.values()].filter((w) => w.pod.templateHash === hash && w.goneAt === undefined);
  }

  bounds(): { maxTotal: number; minAvailable: number } {
    const spec = this.deployment.spec;
    return {
      maxTotal: spec.replicas + maxSurgeOf(spec),
      minAvailable: spec.replicas - maxUnavailableOf(spec),
    };
  }
}

export function withTemplate(d: Deployment, patch: Partial<Deployment['spec']>): Deployment {
  return { ...d, spec: { ...d.spec, ...patch } };
}
