import { defineConfig } from 'vitest/config';

// Three projects: `unit` (pure core, fake clock, no I/O), `package` (builds, packs and installs
// the package once: a minute or more) and `e2e` (the real testbed: network-namespace hosts with
// sshd + dockerd, a git HTTP server, a registry).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          exclude: ['test/unit/package/**'],
          environment: 'node',
          // `npm test` runs these beside the package build and the e2e testbed on the same cores:
          // a file's first test (schemas compiled on first use, a CLI spawned through tsx) took
          // over 5 s there. A timeout guards against a hang, never speed (benchmarks measure that).
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'package',
          include: ['test/unit/package/**/*.test.ts'],
          environment: 'node',
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/e2e/global-setup.ts'],
          // One testbed is shared: e2e files run one at a time.
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
