// DockerRuntime.observe lists a host again only when the host's event stream (or skiff's own
// call) says something changed, or its resync is due; otherwise the last list stands, after a
// read of its claim volumes. A stream that is down or ends costs a list per pass, never a missed
// change.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { defaultClusterConfig } from '../../../src/config/cluster-config.js';
import { CONTAINER_EVENT_FILTERS } from '../../../src/runtime/container-events.js';
import { DockerRuntime, type DockerRuntimeOptions } from '../../../src/runtime/docker-runtime.js';
import { stubTransport } from '../../support/stub-transport.js';
import { ListingDocker, settle } from './listing-docker.js';

function runtimeOn(
  docker: ListingDocker,
  clock = { now: () => 1_000_000 },
  opts: Pick<DockerRuntimeOptions, 'logger' | 'observer'> & { callTimeoutSeconds?: number } = {},
): DockerRuntime {
  const config = defaultClusterConfig('/tmp/x');
  const callTimeoutSeconds = opts.callTimeoutSeconds ?? config.connection.callTimeoutSeconds;
  return new DockerRuntime(
    { ...config, connection: { ...config.connection, callTimeoutSeconds } },
    { transport: () => stubTransport(docker), clock, logger: opts.logger, observer: opts.observer },
  );
}

/** What the runtime says of its event streams: log lines, and the `watch events` calls it
 *  reports to the metrics. */
function streamReports() {
  const lines: string[] = [];
  const calls: boolean[] = [];
  return {
    lines,
    calls,
    logger: {
      info: (_: object, msg: string) => lines.push(`info: ${msg}`),
      warn: (_: object, msg: string) => lines.push(`warn: ${msg}`),
    },
    observer: {
      dockerCall: (_host: string, operation: string, _s: number, ok: boolean) => {
        if (operation === 'watch events') calls.push(ok);
      },
      sshConnect: () => {},
      sshDropped: () => {},
    },
  };
}

/** A runtime whose host has been listed and whose stream is up (the list after the stream
 *  came up included): the stream opens at the second observation. */
async function watched(docker: ListingDocker, clock?: { now: () => number }): Promise<DockerRuntime> {
  const rt = runtimeOn(docker, clock);
  await rt.observe();
  expect(docker.streams).toHaveLength(0);
  await rt.observe();
  await settle();
  await rt.observe();
  expect(docker.streams).toHaveLength(1);
  expect(docker.lists).toBe(3);
  docker.lists = 0;
  return rt;
}

describe('DockerRuntime.observe: container events', () => {
  it('watches only skiff containers, and only the actions that change a list', async () => {
    const docker = new ListingDocker(1);
    await watched(docker);
    expect(docker.eventFilters).toEqual(CONTAINER_EVENT_FILTERS);
    expect(CONTAINER_EVENT_FILTERS.label).toEqual(['skiff.io/managed=true']);
    expect(CONTAINER_EVENT_FILTERS.event).toContain('die');
    expect(CONTAINER_EVENT_FILTERS.event).not.toContain('exec_start');
    expect(CONTAINER_EVENT_FILTERS.event).not.toContain('health_status');
  });

  it('lists until the stream is up, once more after it came up, then reads only its claim volumes', async () => {
    const docker = new ListingDocker(3);
    const rt = await watched(docker);
    expect(docker.lists).toBe(0);
    const idle = await rt.observe();
    const again = await rt.observe();
    expect(docker.lists).toBe(0);
    expect(docker.volumeLists).toBe(5);
    expect(idle.pods).toHaveLength(3);
    expect(again.pods[0]).toBe(idle.pods[0]);
  });

  it('an event lists the host at the next pass, and only that pass', async () => {
    const docker = new ListingDocker(3);
    const rt = await watched(docker);
    const before = (await rt.observe()).pods;
    expect(docker.lists).toBe(0);
    docker.exit('c1-1');
    docker.event('die', 'c1-1');
    await settle();
    const seen = await rt.observe();
    expect(docker.lists).toBe(1);
    // The pods that did not change are the same objects (the core's memos of them hold).
    expect(seen.pods.find((p) => p.name === 'web-0')).toBe(before.find((p) => p.name === 'web-0'));
    expect(seen.pods.find((p) => p.name === 'web-1')).not.toBe(before.find((p) => p.name === 'web-1'));
    expect(seen.pods.find((p) => p.name === 'web-1')?.containers[0]).toMatchObject({ state: 'exited' });
    await rt.observe();
    expect(docker.lists).toBe(1);
  });

  it('an observe beside a list in flight waits for that list, not the last one', async () => {
    const docker = new ListingDocker(2);
    const rt = await watched(docker);
    docker.exit('c1-1');
    docker.event('die', 'c1-1');
    await settle();
    docker.listDelayMs = 20;
    const both = await Promise.all([rt.observe(), rt.observe()]);
    for (const o of both)
      expect(o.pods.find((p) => p.name === 'web-1')?.containers[0]).toMatchObject({ state: 'exited' });
    expect(docker.lists).toBe(1);
  });

  it('a stream that ends lists every pass until a new one is up', async () => {
    const docker = new ListingDocker(2);
    const rt = await watched(docker);
    docker.streams[0]!.end();
    docker.streams[0]!.resume();
    await settle();
    await rt.observe();
    expect(docker.lists).toBe(1);
    await settle();
    expect(docker.streams).toHaveLength(2);
    await rt.observe();
    expect(docker.lists).toBe(2);
    await rt.observe();
    expect(docker.lists).toBe(2);
    await rt.close();
    expect(docker.streams[1]!.destroyed).toBe(true);
  });

  it('a stream that cannot open leaves the host listed every pass', async () => {
    const docker = new ListingDocker(2);
    docker.getEvents = async () => {
      throw new Error('events not allowed');
    };
    const rt = runtimeOn(docker);
    for (let i = 0; i < 3; i++) {
      await rt.observe();
      await settle();
    }
    expect(docker.lists).toBe(3);
    expect(docker.volumeLists).toBe(3);
  });

  it('says once that a stream does not open, and once that it is open again', async () => {
    const docker = new ListingDocker(2);
    const open = docker.getEvents;
    docker.getEvents = async () => {
      throw new Error('events not allowed');
    };
    const reports = streamReports();
    const rt = runtimeOn(docker, undefined, reports);
    for (let i = 0; i < 4; i++) {
      await rt.observe();
      await settle();
    }
    expect(reports.lines).toEqual([
      "warn: the engine's event stream did not open: the host is listed every pass until it does",
    ]);
    docker.getEvents = open;
    await rt.observe();
    await settle();
    await rt.observe();
    await settle();
    expect(reports.lines.slice(1)).toEqual(["info: the engine's event stream is open again"]);
    // Every attempt is a `watch events` call in the metrics: three failed, then the open one.
    expect(reports.calls).toEqual([false, false, false, true]);
    await rt.close();
  });

  it('an engine that never answers the request is a failed attempt, and its late stream is closed', async () => {
    const docker = new ListingDocker(2);
    let answer: ((s: PassThrough) => void) | undefined;
    docker.getEvents = () =>
      new Promise<PassThrough>((resolve) => {
        answer = resolve;
      });
    const reports = streamReports();
    const rt = runtimeOn(docker, undefined, { ...reports, callTimeoutSeconds: 0.05 });
    await rt.observe();
    await rt.observe();
    await new Promise((r) => setTimeout(r, 100));
    expect(reports.calls).toEqual([false]);
    expect(reports.lines).toHaveLength(1);
    const late = new PassThrough();
    answer!(late);
    await settle();
    expect(late.destroyed).toBe(true);
    // Still listed every pass, and tried again.
    docker.lists = 0;
    await rt.observe();
    expect(docker.lists).toBe(1);
    await rt.close();
  });

  it("skiff's own call lists the host at the next pass, before any event", async () => {
    const docker = new ListingDocker(2);
    const rt = await watched(docker);
    const host = defaultClusterConfig('/tmp/x').hosts[0]!.name;
    await rt.removeClaimVolume(host, 'claim-x');
    await rt.observe();
    expect(docker.lists).toBe(1);
  });

  it('lists a quiet host again after 60-120 s', async () => {
    let now = 1_000_000;
    const docker = new ListingDocker(1);
    const rt = await watched(docker, { now: () => now });
    now += 59_000;
    await rt.observe();
    expect(docker.lists).toBe(0);
    now += 61_001;
    await rt.observe();
    expect(docker.lists).toBe(1);
  });

  it('a pod listed again after quiet passes shares the spec its template had (no second parse)', async () => {
    let now = 1_000_000;
    const docker = new ListingDocker(2);
    const rt = await watched(docker, { now: () => now });
    const before = (await rt.observe()).pods.find((p) => p.name === 'web-1')!;
    for (let i = 0; i < 9; i++) {
      now += 10_000;
      await rt.observe();
    }
    docker.exit('c1-1');
    docker.event('die', 'c1-1');
    await settle();
    now += 10_000;
    const after = (await rt.observe()).pods.find((p) => p.name === 'web-1')!;
    expect(after).not.toBe(before);
    expect(after.spec).toBe(before.spec);
    expect(after.commit).toBe(before.commit);
  });

  it('a claim volume removed by another skiff is gone at the next quiet pass (volumes have no labelled events)', async () => {
    const docker = new ListingDocker(1);
    docker.volumes = [
      {
        Name: 'skiff-claim-default-data',
        Labels: { 'skiff.io/managed': 'true', 'skiff.io/claim': 'data', 'skiff.io/namespace': 'default' },
      },
    ];
    const rt = await watched(docker);
    expect((await rt.observe()).claimVolumes).toHaveLength(1);
    docker.volumes = [];
    const after = await rt.observe();
    expect(after.claimVolumes).toEqual([]);
    expect(docker.lists).toBe(0);
  });

  it('a host that stops answering is NotReady, and is listed when it answers again', async () => {
    const docker = new ListingDocker(2);
    const rt = await watched(docker);
    docker.down = true;
    const down = await rt.observe();
    expect(down.hosts[0]).toMatchObject({ ready: false });
    expect(down.pods).toHaveLength(2);
    docker.down = false;
    const up = await rt.observe();
    expect(up.hosts[0]).toMatchObject({ ready: true });
    expect(docker.lists).toBe(1);
  });
});

describe('DockerRuntime.observe: one observation', () => {
  it('opens no event stream (skiff plan observes once and closes)', async () => {
    const docker = new ListingDocker(2);
    const rt = runtimeOn(docker);
    await rt.observe();
    await settle();
    await rt.close();
    expect(docker.streams).toHaveLength(0);
  });
});
