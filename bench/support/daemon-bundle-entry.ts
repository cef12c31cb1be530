// What the memory bench's daemon child needs, bundled as the CLI is (scripts/bundle-cli.ts), so
// the bench can measure the daemon with the code as `skiff run` loads it from an install.

export { default as Docker } from 'dockerode';
export { applyDaemonV8Flags } from '../../src/daemon/heap-flags.js';
export { createSkiffInstance, initialAdmission } from '../../src/daemon/skiff-instance.js';
export { systemClock } from '../../src/runtime/clock.js';
export { SshDockerAgent } from '../../src/runtime/docker-agent.js';
export { DockerRuntime } from '../../src/runtime/docker-runtime.js';
export { FakeRuntime } from '../../src/runtime/fake-runtime.js';
