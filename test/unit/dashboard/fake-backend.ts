// A real API server on a loopback port over a fake backend (as test/unit/daemon/api-security),
// a real token store and history database in a temp dir, and a view the test changes: what the
// dashboard's API and browser tests run against.
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { AppConfig } from '../../../src/config/cluster-config.js';
import { startApiServer } from '../../../src/daemon/api-server.js';
import { type HistoryStore, openHistoryStore } from '../../../src/history/history-store.js';
import type { AppStatus, ClusterView, DeploymentView, HpaView, PodView } from '../../../src/model/views.js';
import {
  createToken,
  ensureLocalAdminToken,
  readLocalAdminToken,
  TokenVerifier,
} from '../../../src/state-dir/token-store.js';

/** A value the scrubber knows: it must never reach a client. */
export const SECRET = 'hunter2-s3cret';

export const shopApp = (over: Partial<AppStatus> = {}): AppStatus => ({
  name: 'shop',
  repoURL: 'https://git.example/acme/shop.git',
  revision: 'main',
  path: 'deploy',
  liveCommit: 'a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0',
  headCommit: 'a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0',
  sync: 'Synced',
  health: 'Healthy',
  conditions: [],
  quarantined: [],
  lastSyncAt: 1_000,
  ...over,
});

export const webDeployment = (ready: number, over: Partial<DeploymentView> = {}): DeploymentView => ({
  namespace: 'default',
  name: 'web',
  app: 'shop',
  replicas: 3,
  updatedReplicas: ready,
  readyReplicas: ready,
  availableReplicas: ready,
  templateHash: 'abc123',
  images: ['nginx:1.27'],
  phase: ready === 3 ? 'Complete' : 'Progressing',
  conditions: [],
  ...over,
});

export const webPod = (i: number, host: string, status = 'Running'): PodView => ({
  namespace: 'default',
  name: `web-abc123-${i}`,
  app: 'shop',
  owner: { kind: 'Deployment', name: 'web' },
  host,
  phase: 'Running',
  status,
  ready: { ready: status === 'Running' ? 1 : 0, total: 1 },
  restarts: 0,
  templateHash: 'abc123',
  commit: 'a1b2c3d',
  labels: {},
  conditions: [],
  containers: [],
});

export const baseView = (over: Partial<ClusterView> = {}): ClusterView => ({
  at: 2_000,
  apps: [shopApp()],
  hosts: [],
  pods: [webPod(0, 'h1'), webPod(1, 'h1'), webPod(2, 'h2', 'Pending')],
  deployments: [webDeployment(2)],
  configs: [],
  services: [],
  endpoints: [],
  ...over,
});

export interface FakeDaemon {
  url: string;
  port: number;
  admin: string;
  read: string;
  dir: string;
  history: HistoryStore;
  server: Server;
  synced: string[];
  setView(view: ClusterView): void;
  /** The HPAs `GET /api/v1/hpas` answers (samples only when asked for, as the daemon). */
  setHpas(hpas: HpaView[]): void;
  /** The `?samples=` of the last `GET /api/v1/hpas`. */
  hpaSamplesAsked(): number | undefined;
  close(): void;
}

export async function startFakeDaemon(
  opts: { assetsDir?: string; apps?: AppConfig[] } = {},
): Promise<FakeDaemon> {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-dash-'));
  ensureLocalAdminToken(dir, 1);
  const admin = readLocalAdminToken(dir)!;
  const read = createToken(dir, { role: 'read', name: 'viewer' }, 2).token;
  const history = openHistoryStore({ stateDir: dir });
  const synced: string[] = [];
  let hpas: HpaView[] = [];
  let samplesAsked: number | undefined;
  const host = (name: string) => ({
    name,
    address: `10.0.0.${name.slice(1)}`,
    ready: true,
    labels: {},
    taints: [],
    capacity: { cpuMilli: 2000, memoryBytes: 4 * 2 ** 30 },
  });
  const request = { resources: { requests: { cpu: '500m', memory: '512Mi' } } };
  const observed = {
    hosts: [host('h1'), host('h2')],
    pods: [0, 1].map((i) => ({
      name: `web-abc123-${i}`,
      host: 'h1',
      spec: { containers: [{ name: 'web', image: 'nginx', ...request }] },
    })),
  };
  const inst = {
    config: { daemon: { stateDir: dir }, apps: opts.apps ?? [] },
    trackers: [{ name: 'shop' }],
    reconciler: {
      view: baseView() as ClusterView,
      last: {
        at: 2_000,
        converged: false,
        observed,
        actions: [
          {
            type: 'createPod',
            host: 'h2',
            pod: { namespace: 'default', name: 'web-abc123-2', env: { PASSWORD: SECRET } },
            reason: 'deployment/web wants 3 replicas',
          },
        ],
      },
      pass: async () => ({ converged: true, actions: [] }),
    },
    autoscaler: {
      views: (_decisions?: number, samples?: number) => {
        samplesAsked = samples;
        return hpas.map((h) => ({ ...h, samples: samples ? h.samples?.slice(-samples) : undefined }));
      },
      latestSweep: undefined,
    },
    metrics: { render: async () => '', contentType: 'text/plain', observeWebhook: () => undefined },
    history,
    scrubber: { text: (t: string) => t.split(SECRET).join('***') },
  };
  const backend = {
    inst,
    lease: { view: () => ({ role: 'acting', holder: 'me', hosts: [], message: 'acting', checkedAt: 0 }) },
    refreshApp: async (a?: string) => void synced.push(a ?? '*'),
    waitConverged: async () => ({ converged: true, failed: false }),
  };
  const api = await startApiServer({
    backend: backend as never,
    listen: '127.0.0.1:0',
    log: pino({ level: 'silent' }),
    security: { tokens: new TokenVerifier(dir), metricsPublic: false },
    dashboardAssets: opts.assetsDir,
  });
  const port = Number(api.address.split(':').pop());
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    admin,
    read,
    dir,
    history,
    server: api.server,
    synced,
    setView: (view) => {
      inst.reconciler.view = view;
    },
    setHpas: (list) => {
      hpas = list;
    },
    hpaSamplesAsked: () => samplesAsked,
    close: () => {
      api.server.closeAllConnections();
      api.server.close();
      history.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** hpa/web-hpa with a scale-up from 3 to 7 and its cpu utilization sampled once a minute. */
export const webHpa = (at: number): HpaView => ({
  namespace: 'default',
  name: 'web-hpa',
  app: 'shop',
  reference: 'Deployment/web',
  targets: 'cpu: 45%/70%',
  metrics: [{ name: 'cpu', current: '45%', target: '70%' }],
  minReplicas: 2,
  maxReplicas: 10,
  currentReplicas: 7,
  desiredReplicas: 7,
  conditions: [],
  decisions: [
    {
      at: at - 240_000,
      lastAt: at,
      count: 16,
      currentReplicas: 7,
      desiredReplicas: 7,
      reason: 'ReadyForNewScale',
      message: '',
    },
    {
      at: at - 300_000,
      lastAt: at - 300_000,
      count: 1,
      currentReplicas: 3,
      desiredReplicas: 7,
      reason: 'SucceededRescale',
      message: 'New size: 7',
    },
  ],
  samples: [140, 120, 90, 60, 45].map((cpu, i) => ({
    at: at - 300_000 + i * 60_000,
    currentReplicas: i === 0 ? 3 : 7,
    desiredReplicas: 7,
    metrics: [{ name: 'cpu', unit: 'percent' as const, current: cpu, target: 70 }],
  })),
});
