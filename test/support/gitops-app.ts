// Test harness for end-to-end tests that go through Git: a repository on the real git HTTP
// server, a skiff.yaml for the testbed's hosts with one app following it (written to a file,
// so the CLI run as a process finds the same daemon), the real Daemon, and a DockerRuntime to
// look at the hosts with. Shell code for tests only.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import type { ClusterConfig } from '../../src/config/cluster-config.js';
import { loadClusterConfig } from '../../src/config/load-config.js';
import { Daemon } from '../../src/daemon/daemon.js';
import type { ObservedPod } from '../../src/model/observed.js';
import { systemClock } from '../../src/runtime/clock.js';
import { DockerRuntime } from '../../src/runtime/docker-runtime.js';
import { ServiceDataPlane } from '../../src/runtime/service-data-plane.js';
import { fetchNow } from './daemon-api.js';
import { type GitFixture, makeGitFixture } from './git-server.js';
import { testbed } from './testbed.js';

export interface GitopsAppOptions {
  app: string;
  /** Files of the first commit, under the app's path (`deploy/`). */
  files: Record<string, string>;
  /** The app's poll interval (default 2s); `1h` leaves the webhook and `rollout status`'s
   *  fetch as the only triggers, so a test decides when a commit goes live. */
  poll?: string;
  /** Extra lines under the app in skiff.yaml (indented four spaces), e.g. `rollback: ...`. */
  appYaml?: string;
  /** Replaces the labels of the named testbed hosts in skiff.yaml (e.g. zones for spreading). */
  hostLabels?: Record<string, Record<string, string>>;
}

/** The testbed's skiff.yaml with the named hosts' `labels:` lines replaced. */
function withHostLabels(yaml: string, labels: Record<string, Record<string, string>> = {}): string {
  let current = '';
  return yaml
    .split('\n')
    .map((line) => {
      const name = /^ {2}- name: (\S+)/.exec(line)?.[1];
      if (name) current = name;
      const wanted = labels[current];
      if (!wanted || !/^ {4}labels:/.test(line)) return line;
      return `    labels: ${JSON.stringify(wanted)}`;
    })
    .join('\n');
}

export interface GitopsApp {
  fx: GitFixture;
  configFile: string;
  config: ClusterConfig;
  runtime: DockerRuntime;
  daemon: Daemon;
  /** Commits and pushes `files` (null deletes), then calls the daemon's webhook. */
  push(files: Record<string, string | null>, message: string): Promise<string>;
  /** The app's pods on the hosts, as labels say. */
  pods(): Promise<ObservedPod[]>;
  /** Stops the daemon, removes the app's pods from the hosts, closes the git server. */
  close(): Promise<void>;
}

export async function startGitopsApp(opts: GitopsAppOptions): Promise<GitopsApp> {
  const fx = await makeGitFixture();
  const configFile = join(fx.base, 'skiff.yaml');
  writeFileSync(
    configFile,
    `${withHostLabels(readFileSync(testbed().config, 'utf8'), opts.hostLabels)}
apps:
  - name: ${opts.app}
    repoURL: ${fx.repoURL}
    revision: main
    path: deploy
    poll: { interval: ${opts.poll ?? '2s'} }
${opts.appYaml ?? ''}
daemon:
  stateDir: ${fx.stateDir}
  reconcileIntervalSeconds: 1
`,
  );
  const config = await loadClusterConfig(configFile);
  const runtime = new DockerRuntime(config);
  const files = Object.fromEntries(Object.entries(opts.files).map(([f, text]) => [`deploy/${f}`, text]));
  await fx.commit(files, `Deploy ${opts.app}`);
  await fx.push();
  const daemon = await Daemon.start({
    config,
    log: pino({ level: process.env.SKIFF_E2E_LOG_LEVEL ?? 'warn' }),
    listen: '127.0.0.1:0',
  });
  const pods = async () => (await runtime.observe()).pods.filter((p) => p.app === opts.app);
  return {
    fx,
    configFile,
    config,
    runtime,
    daemon,
    pods,
    async push(changes, message) {
      const sha = await fx.commit(
        Object.fromEntries(Object.entries(changes).map(([f, text]) => [`deploy/${f}`, text])),
        message,
      );
      await fx.push();
      fetchNow(daemon);
      return sha;
    },
    async close() {
      await daemon.stop();
      // The daemon leaves its Service rules in place when it stops (as kube-proxy does).
      await new ServiceDataPlane(runtime, { serviceCIDR: config.network.serviceCIDR, clock: systemClock })
        .removeAll(await runtime.observe())
        .catch(() => undefined);
      for (const p of await pods().catch(() => [])) {
        await runtime
          .deletePod({ host: p.host, namespace: p.namespace, name: p.name }, 0)
          .catch(() => undefined);
      }
      await runtime.close();
      await fx.close();
    },
  };
}
