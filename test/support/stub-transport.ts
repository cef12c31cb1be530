// A host transport for unit tests of DockerRuntime: the Docker client is the test's (an
// in-memory engine or a stub), every host command succeeds with no output, and there is no
// network to forward to.
import type Docker from 'dockerode';
import type { HostTransport } from '../../src/runtime/host-transport.js';

export function stubTransport(docker: unknown): HostTransport {
  return {
    docker: docker as Docker,
    connected: () => true,
    ready: async () => {},
    writePaths: async () => {},
    removeTree: async () => {},
    exec: async () => ({ exitCode: 0, stdout: '', stderr: '' }),
    runScript: async () => ({ exitCode: 0, stdout: '', stderr: '' }),
    connectTcp: async () => {
      throw new Error('no network');
    },
    close: () => {},
  };
}
