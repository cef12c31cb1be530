import { defineConfig } from 'vitest/config';

// Two projects: `unit` (pure core, fake clock, no I/O) and `e2e` (the real testbed:
// network-namespace hosts with sshd + dockerd, a git HTTP server, a registry).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
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
