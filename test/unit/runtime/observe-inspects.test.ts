// DockerRuntime.observe reads exit codes and start times with one inspect per container whose
// state changed since it was last read, a few at a time (each inspect is a channel of the host's
// SSH connection), and none for a container whose state is as last read.
import { describe, expect, it } from 'vitest';
import { defaultClusterConfig } from '../../../src/config/cluster-config.js';
import type { ContainerSummary } from '../../../src/runtime/decode-pods.js';
import { DockerRuntime } from '../../../src/runtime/docker-runtime.js';
import { planPod } from '../../../src/runtime/pod-spec.js';
import { stubTransport } from '../../support/stub-transport.js';
import { sleeperPod } from './runtime-contract.js';

const STARTED = '2026-12-07T10:00:00Z';

/** A host's engine listing `pods` pods (infra and app container each), counting inspects. */
class ListingDocker {
  readonly listed: ContainerSummary[];
  readonly inspected: string[] = [];
  inFlight = 0;
  maxInFlight = 0;

  constructor(pods: number) {
    this.listed = Array.from({ length: pods }, (_, p) => {
      const plan = planPod(sleeperPod(`web-${p}`, { image: 'app:1' }), {
        dataDir: '/var/lib/skiff',
        pauseImage: 'pause',
        createdAt: 1_700_000_000_000,
      });
      return [plan.infra, ...plan.containers].map((b, i) => ({
        Id: `c${p}-${i}`,
        Names: [`/${b.name}`],
        Image: b.Image,
        Created: 1_700_000_000,
        State: 'running',
        Status: 'Up 1 minute',
        Labels: b.Labels,
      }));
    }).flat();
  }

  info = async () => ({ NCPU: 2, MemTotal: 1 << 30 });
  listVolumes = async () => ({ Volumes: [] });
  listContainers = async () => this.listed.map((c) => ({ ...c }));
  getContainer = (id: string) => ({
    inspect: async () => {
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      await new Promise((r) => setTimeout(r, 2));
      this.inFlight--;
      this.inspected.push(id);
      const c = this.listed.find((x) => x.Id === id)!;
      return {
        State: {
          ExitCode: c.State === 'exited' ? 3 : 0,
          StartedAt: STARTED,
          FinishedAt: c.State === 'exited' ? '2026-12-07T10:05:00Z' : '0001-01-01T00:00:00Z',
        },
      };
    },
  });
}

function runtimeOn(docker: ListingDocker): DockerRuntime {
  const config = defaultClusterConfig('/tmp/x');
  return new DockerRuntime(config, { transport: () => stubTransport(docker) });
}

describe('DockerRuntime.observe: inspects', () => {
  it('inspects every container once at first, at most maxConcurrentPerHost at a time', async () => {
    const docker = new ListingDocker(20);
    const observed = await runtimeOn(docker).observe();
    expect(observed.pods).toHaveLength(20);
    expect(new Set(docker.inspected).size).toBe(40);
    expect(docker.maxInFlight).toBeGreaterThan(1);
    expect(docker.maxInFlight).toBeLessThanOrEqual(
      defaultClusterConfig('/tmp/x').connection.maxConcurrentPerHost,
    );
    expect(observed.pods[0]?.containers[0]?.startedAt).toBe(Date.parse(STARTED));
  });

  it('inspects again only the container whose state changed', async () => {
    const docker = new ListingDocker(5);
    const rt = runtimeOn(docker);
    await rt.observe();
    await rt.observe();
    expect(docker.inspected).toHaveLength(10);
    const app = docker.listed.find((c) => c.Id === 'c2-1')!;
    app.State = 'exited';
    app.Status = 'Exited (3) 1 second ago';
    const observed = await rt.observe();
    expect(docker.inspected.slice(10)).toEqual(['c2-1']);
    const pod = observed.pods.find((p) => p.name === 'web-2');
    expect(pod?.containers[0]).toMatchObject({ state: 'exited', exitCode: 3 });
  });
});
