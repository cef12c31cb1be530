// `npm run chaos -- --testbed`: one chaos round on the real testbed (root; the testbed must be
// up: `npm run testbed -- up`). A real daemon process follows a repository on the real git
// server through ROLLOUTS rollouts; during them it is killed with SIGKILL mid-rollout and
// restarted, a host is cut and healed, and a host's dockerd is restarted. A sampler reads the
// hosts' Docker labels every SAMPLE_MS and checks the same invariants as the simulation
// (test/chaos/invariants.ts). Exit 1 on any violation. Shares the one testbed: run it alone.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_DIR } from '../../scripts/testbed/layout.js';
import type { TestbedStatus } from '../../scripts/testbed/state.js';
import { loadClusterConfig } from '../../src/config/load-config.js';
import { systemClock } from '../../src/runtime/clock.js';
import { DockerRuntime } from '../../src/runtime/docker-runtime.js';
import { ServiceDataPlane } from '../../src/runtime/service-data-plane.js';
import { makeGitFixture } from '../support/git-server.js';
import { restartDockerd } from '../support/testbed.js';
import { convergedTruth, sample, violations } from './invariants.js';
import { prng } from './prng.js';
import { manifest, READY_AFTER_MS, SENTINEL, STRATEGIES } from './scenario.js';

const exec = promisify(execFile);
const ROLLOUTS = 6;
const SAMPLE_MS = 500;
const CONVERGE_MS = 180_000;
const strategy = STRATEGIES[1]!; // 4 replicas, maxSurge 1, maxUnavailable 1

async function testbed(...args: string[]): Promise<string> {
  const { stdout } = await exec(process.execPath, ['--import', 'tsx', 'scripts/testbed/main.ts', ...args], {
    cwd: REPO_DIR,
  });
  return stdout;
}

export async function runTestbedRound(seed = Number(process.env.CHAOS_SEED ?? 1)): Promise<number> {
  const rand = prng(seed);
  const status = JSON.parse(await testbed('status', '-o', 'json')) as TestbedStatus;
  const image = status.images.web[0]!;
  const fx = await makeGitFixture();
  const configFile = join(fx.base, 'skiff.yaml');
  writeFileSync(
    configFile,
    `${readFileSync(status.config, 'utf8')}
apps:
  - name: chaos
    repoURL: ${fx.repoURL}
    revision: main
    path: deploy
    poll: { interval: 2s }
daemon:
  stateDir: ${fx.stateDir}
  reconcileIntervalSeconds: 1
`,
  );
  const config = await loadClusterConfig(configFile);
  const runtime = new DockerRuntime(config);
  const found: string[] = [];
  const logs: string[] = [];
  let daemon: ChildProcess | undefined;
  const startDaemon = () => {
    daemon = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'run', '--config', configFile, '--listen', '127.0.0.1:0'],
      {
        cwd: REPO_DIR,
        env: { ...process.env, SKIFF_LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    daemon.stdout?.on('data', (d: Buffer) => logs.push(String(d)));
    daemon.stderr?.on('data', (d: Buffer) => logs.push(String(d)));
  };
  let checks = { floor: false, ceiling: true };
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const truth = await runtime.observe().catch(() => undefined);
      if (truth) {
        const s = sample({ ...truth, pods: truth.pods.filter((p) => p.app === 'chaos') }, new Set());
        for (const v of violations(s, strategy, checks)) found.push(`${new Date().toISOString()} ${v}`);
      }
      await new Promise((r) => setTimeout(r, SAMPLE_MS));
    }
  })();
  const converged = async () => {
    const deadline = Date.now() + CONVERGE_MS;
    for (;;) {
      const truth = await runtime.observe();
      const why = convergedTruth({ ...truth, pods: truth.pods.filter((p) => p.app === 'chaos') }, strategy);
      if (!why) return;
      if (Date.now() > deadline)
        throw new Error(`not converged ${CONVERGE_MS / 1000}s after the faults cleared: ${why}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
  try {
    await fx.commit({ 'deploy/web.yaml': manifest(strategy, 0, image) }, 'chaos: initial');
    await fx.push();
    startDaemon();
    await converged();
    // Converged means running; the sampler counts a pod Ready READY_AFTER_MS after its start.
    await new Promise((r) => setTimeout(r, READY_AFTER_MS + 500));
    checks = { floor: true, ceiling: true };
    for (let round = 1; round <= ROLLOUTS; round++) {
      await fx.commit({ 'deploy/web.yaml': manifest(strategy, round, image) }, `chaos: rollout ${round}`);
      await fx.push();
      const fault = rand.pick(['kill', 'kill', 'cut', 'dockerd'] as const);
      const host = rand.pick(status.hosts).name;
      await new Promise((r) => setTimeout(r, rand.int(500, 4000)));
      console.log(`rollout ${round}: ${fault}${fault === 'kill' ? '' : ` ${host}`}`);
      if (fault === 'kill') {
        daemon?.kill('SIGKILL');
        await new Promise((r) => setTimeout(r, 1000));
        startDaemon();
      } else {
        checks = { floor: false, ceiling: fault !== 'cut' };
        if (fault === 'cut') {
          await testbed('cut', host);
          await new Promise((r) => setTimeout(r, 20_000));
          await testbed('heal', host);
        } else await restartDockerd(host);
      }
      await converged();
      await new Promise((r) => setTimeout(r, READY_AFTER_MS + 500));
      checks = { floor: true, ceiling: true };
    }
  } catch (err) {
    found.push(String(err));
  } finally {
    sampling = false;
    await sampler;
    daemon?.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 3000));
    const all = logs.join('');
    if (all.includes(SENTINEL) || all.includes(Buffer.from(SENTINEL).toString('base64')))
      found.push('the sentinel Secret value is in the daemon log');
    await new ServiceDataPlane(runtime, { serviceCIDR: config.network.serviceCIDR, clock: systemClock })
      .removeAll(await runtime.observe())
      .catch(() => undefined);
    for (const p of (await runtime.observe()).pods.filter((x) => x.app === 'chaos'))
      await runtime.deletePod(p, 0).catch(() => undefined);
    await runtime.close();
    await fx.close();
  }
  for (const v of found) console.log(`VIOLATION ${v}`);
  console.log(`testbed chaos round (seed ${seed}): ${ROLLOUTS} rollouts, ${found.length} violations`);
  return found.length ? 1 : 0;
}
