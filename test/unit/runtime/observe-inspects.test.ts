// DockerRuntime.observe reads exit codes and start times with one inspect per container whose
// state changed since it was last read, a few at a time (each inspect is a channel of the host's
// SSH connection), and none for a container whose state is as last read.
import { describe, expect, it } from 'vitest';
import { defaultClusterConfig } from '../../../src/config/cluster-config.js';
import { DockerRuntime } from '../../../src/runtime/docker-runtime.js';
import { stubTransport } from '../../support/stub-transport.js';
import { ListingDocker, STARTED, settle } from './listing-docker.js';

function runtimeOn(docker: ListingDocker): DockerRuntime {
  const config = defaultClusterConfig('/tmp/x');
  return new DockerRuntime(config, { transport: () => stubTransport(docker) });
}

describe('DockerRuntime.observe: inspects', () => {
  it('inspects every app container once at first, at most maxConcurrentPerHost at a time', async () => {
    const docker = new ListingDocker(20);
    const observed = await runtimeOn(docker).observe();
    expect(observed.pods).toHaveLength(20);
    // Not the infra containers (c<pod>-0): a pod's infra is read for its id and state alone.
    expect(new Set(docker.inspected).size).toBe(20);
    expect(docker.inspected.filter((id) => id.endsWith('-0'))).toEqual([]);
    expect(observed.pods[0]?.infra).toEqual({ id: 'c0-0', state: 'running' });
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
    expect(docker.inspected).toHaveLength(5);
    docker.exit('c2-1');
    await settle();
    docker.event('die', 'c2-1');
    await settle();
    const observed = await rt.observe();
    expect(docker.inspected.slice(5)).toEqual(['c2-1']);
    const pod = observed.pods.find((p) => p.name === 'web-2');
    expect(pod?.containers[0]).toMatchObject({ state: 'exited', exitCode: 3 });
  });
});
