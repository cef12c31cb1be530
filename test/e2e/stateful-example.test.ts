// Issue 12, the stateful example end to end: examples/repo/apps/notes as committed (a kvdb
// database on a PersistentVolumeClaim with a hardened securityContext, a web tier whose init
// containers wait for it and migrate) pushed through Git to the real daemon on the testbed,
// in a namespace of its own and on a node port of its own. A note written through the node
// port is read back from another host, after a rollout of the web tier (env change: the init
// containers run again, the migration is a no-op) and after a rollout of the database
// (Recreate, the same claim). Inside the database container: uid/gid 999, and a write to the
// read-only root fails. Written by the "stateful" helper; run by the lead. Budget: < 150 s.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABELS } from '../../src/model/labels.js';
import type { PodView } from '../../src/model/views.js';
import { type GitopsApp, startGitopsApp } from '../support/gitops-app.js';
import { docker, eventually, testbed } from '../support/testbed.js';

const APP = 'e2e-stateful';
const NS = 'stateful';
const NODE_PORT = 30615;
const EXAMPLE = join(import.meta.dirname, '../../examples/repo/apps/notes');
const hosts = testbed().hosts;

/** An example file as committed, moved to this test's namespace and node port. */
function example(file: string): string {
  return readFileSync(join(EXAMPLE, file), 'utf8')
    .replace(/^metadata:\n/m, `metadata:\n  namespace: ${NS}\n`)
    .replace('nodePort: 30081', `nodePort: ${NODE_PORT}`);
}
const files = () => Object.fromEntries(readdirSync(EXAMPLE).map((f) => [f, example(f)]));

let gitops: GitopsApp;

const podsOf = (component: 'web' | 'database'): PodView[] =>
  (gitops.daemon.inst.reconciler.view?.pods ?? []).filter(
    (p) => p.app === APP && p.labels['app.kubernetes.io/component'] === component,
  );
const readyPods = (component: 'web' | 'database', count: number, notIn: string[] = []) =>
  eventually(
    `${count} ${component} pod(s) Running and Ready${notIn.length > 0 ? ' (new ones)' : ''}`,
    async () => {
      const pods = podsOf(component);
      const ready = pods.filter(
        (p) => p.status === 'Running' && p.ready.ready === p.ready.total && !notIn.includes(p.name),
      );
      return ready.length === count && pods.length === count ? ready : undefined;
    },
    60_000,
  );

async function notes(address: string, key: string, body?: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://${address}:${NODE_PORT}/cgi-bin/notes?key=${key}`, {
    method: body === undefined ? 'GET' : 'POST',
    body,
    signal: AbortSignal.timeout(5000),
  });
  return { status: res.status, text: await res.text() };
}

/** Reads `key` through every host's node port; each must answer `value`. */
async function readEverywhere(key: string, value: string): Promise<void> {
  for (const h of hosts) {
    await eventually(
      `note ${key} through ${h.name}:${NODE_PORT}`,
      async () => {
        const r = await notes(h.address, key);
        return r.status === 200 && r.text === `${value}\n` ? true : undefined;
      },
      20_000,
    );
  }
}

async function execInDb(...command: string[]) {
  const name = podsOf('database')[0]!.name;
  const pod = (await gitops.pods()).find((p) => p.name === name)!;
  return gitops.runtime.exec({ host: pod.host, namespace: NS, name }, 'kvdb', command);
}

/** The app's claim volumes outlive its pods (that is their point): remove them from every host. */
async function removeClaimVolumes(): Promise<void> {
  for (const h of hosts) {
    const volumes = await docker(h.name, ['volume', 'ls', '-q', '--filter', `label=${LABELS.app}=${APP}`]);
    for (const v of volumes.split('\n').filter((l) => l !== '')) await docker(h.name, ['volume', 'rm', v]);
  }
}

beforeAll(async () => {
  // A run that crashed left its claim's data behind: start from an empty claim.
  await removeClaimVolumes();
  const t0 = Date.now();
  gitops = await startGitopsApp({ app: APP, files: files() });
  await readyPods('database', 1);
  await readyPods('web', 2);
  console.info(`stateful example: database and web tier Ready ${Date.now() - t0} ms after the first commit`);
}, 100_000);

afterAll(async () => {
  await gitops?.close();
  await removeClaimVolumes();
}, 60_000);

describe('the stateful example (examples/repo/apps/notes)', () => {
  it('runs the database hardened: uid/gid 999, read-only root, data on the claim', async () => {
    expect((await execInDb('id', '-u')).stdout.trim()).toBe('999');
    expect((await execInDb('id', '-g')).stdout.trim()).toBe('999');
    const write = await execInDb('touch', '/probe');
    expect(write.exitCode).not.toBe(0);
    expect(write.stderr).toContain('Read-only file system');
    // The migration ran before the web tier started: the table is a folder on the claim.
    expect((await execInDb('ls', '/var/lib/kvdb/data')).stdout.trim()).toBe('notes');
  });

  it('stores a note through the node port and reads it back, across rollouts of both tiers', async () => {
    const t0 = Date.now();
    const stored = await eventually(
      'a note stored through the node port',
      async () => {
        const r = await notes(hosts[0]!.address, 'greeting', 'hello from e2e');
        return r.status === 200 ? r : undefined;
      },
      20_000,
    );
    expect(stored.text).toBe('stored greeting\n');
    await readEverywhere('greeting', 'hello from e2e');
    expect((await execInDb('cat', '/var/lib/kvdb/data/notes/greeting')).stdout).toBe('hello from e2e\n');

    // Roll the web tier (an env change): new pods run both init containers again.
    const oldWeb = podsOf('web').map((p) => p.name);
    await gitops.push(
      {
        'web-deployment.yaml': example('web-deployment.yaml').replace(
          '            - name: DB_HOST\n',
          '            - name: NOTES_REVISION\n              value: "2"\n            - name: DB_HOST\n',
        ),
      },
      'Roll the notes web tier',
    );
    const newWeb = await readyPods('web', 2, oldWeb);
    expect(newWeb.every((p) => p.initContainers?.every((c) => c.state === 'terminated'))).toBe(true);
    await readEverywhere('greeting', 'hello from e2e');
    console.info(`stateful example: web tier rolled and read back after ${Date.now() - t0} ms`);

    // Roll the database (Recreate): the new pod mounts the same claim, on the same host.
    const oldDb = podsOf('database')[0]!;
    await gitops.push(
      {
        'db-deployment.yaml': example('db-deployment.yaml').replace(
          '            - name: KVDB_DATA\n',
          '            - name: KVDB_REVISION\n              value: "2"\n            - name: KVDB_DATA\n',
        ),
      },
      'Roll the notes database',
    );
    const [newDb] = await readyPods('database', 1, [oldDb.name]);
    expect(newDb!.host).toBe(oldDb.host);
    await readEverywhere('greeting', 'hello from e2e');
    const again = await notes(hosts[2]!.address, 'after', 'written after both rollouts');
    expect(again).toEqual({ status: 200, text: 'stored after\n' });
    expect(await notes(hosts[1]!.address, '')).toEqual({ status: 200, text: 'after greeting\n' });
    console.info(`stateful example: both tiers rolled, data kept, after ${Date.now() - t0} ms`);
  }, 120_000);
});
