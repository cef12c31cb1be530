// Which containers the prober watches: running app containers with a probe, and sidecars (init
// containers with restartPolicy Always) with one; not a plain init container, a container with
// no probe, one not running, or a terminating pod. A container that goes away loses its worker.
import { afterEach, describe, expect, it } from 'vitest';
import { Prober } from '../../../src/daemon/prober.js';
import type { Container } from '../../../src/model/k8s.js';
import type { ObservedPod } from '../../../src/model/observed.js';
import type { Runtime } from '../../../src/runtime/runtime.js';
import { container, observedPod, podSpec, runningContainer } from '../controllers/fixtures.js';

const probe = { exec: { command: ['true'] }, periodSeconds: 3600, initialDelaySeconds: 3600 };
const withProbe = (name: string, extra: Partial<Container> = {}): Container => ({
  ...container(name),
  readinessProbe: probe as Container['readinessProbe'],
  ...extra,
});

function pod(): ObservedPod {
  const spec = podSpec({
    containers: [withProbe('app'), container('plain')],
    initContainers: [withProbe('setup'), withProbe('proxy', { restartPolicy: 'Always' })],
  });
  return {
    ...observedPod('web-a', { spec }),
    containers: [runningContainer('app', 1), runningContainer('plain', 1)],
    initContainers: [{ ...runningContainer('setup', 1), state: 'exited' }, runningContainer('proxy', 1)],
  };
}

let prober: Prober | undefined;
afterEach(() => prober?.stop());

describe('Prober.sync', () => {
  it('watches probed app containers and sidecars only, and drops what went away', () => {
    prober = new Prober({} as Runtime, { clock: { now: () => 0 }, onChange: () => {}, tickMs: 3_600_000 });
    const p = pod();
    prober.sync({ hosts: [], pods: [p] } as never);
    expect(Object.keys(prober.results()).sort()).toEqual(['id-app', 'id-proxy']);
    // The setup container running again (a restart of the pod's init) is still not probed.
    const rerun = { ...p, initContainers: [runningContainer('setup', 2), runningContainer('proxy', 1)] };
    prober.sync({ hosts: [], pods: [rerun] } as never);
    expect(Object.keys(prober.results()).sort()).toEqual(['id-app', 'id-proxy']);
    prober.sync({ hosts: [], pods: [{ ...p, terminating: true }] } as never);
    expect(prober.results()).toEqual({});
  });
});
