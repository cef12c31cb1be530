// Notifications end to end inside one process: the Notifier's triggers, the real HTTP sender,
// and local servers shaped like GitHub's and GitLab's commit status endpoints (status-servers.ts).
// Retries run on a fake sleep (no real waiting); the history is a real SQLite file.
import { afterEach, describe, expect, it } from 'vitest';
import type { HistoryStore } from '../../../src/history/history-store.js';
import type { DeploymentView } from '../../../src/model/views.js';
import { DEFAULT_DELIVERY, DeliveryQueue, retryDelay } from '../../../src/notify/delivery-queue.js';
import { httpSender } from '../../../src/notify/http-sender.js';
import { Notifier } from '../../../src/notify/notifier.js';
import type { NotificationServiceConfig, NotificationsConfig } from '../../../src/notify/notify-config.js';
import { DEFAULT_TRIGGERS } from '../../../src/notify/notify-types.js';
import type { AppFacts, NotifyFacts } from '../../../src/notify/triggers.js';
import {
  githubStatusServer,
  gitlabStatusServer,
  receiverServer,
  type TestServer,
} from '../../support/status-servers.js';
import { tempHistoryStore } from '../history/temp-state-dir.js';

const SHA = 'a'.repeat(40);
const SHA2 = 'b'.repeat(40);
const GH_TOKEN = 'ghp_test_token_123456';
const GL_TOKEN = 'glpat-test-token-98765';
const SECRET = 'hunter2-the-db-password';

const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});
async function track(s: Promise<TestServer>): Promise<TestServer> {
  const server = await s;
  servers.push(server);
  return server;
}

const healthy: DeploymentView = {
  namespace: 'default',
  name: 'web',
  app: 'shop',
  commit: SHA,
  replicas: 1,
  updatedReplicas: 1,
  readyReplicas: 1,
  availableReplicas: 1,
  templateHash: 'h',
  images: ['nginx'],
  phase: 'Complete',
  conditions: [],
};

function facts(over: Partial<AppFacts> = {}): NotifyFacts {
  return {
    apps: [
      { app: 'shop', admitted: SHA, quarantined: [], views: { deployments: [healthy], pods: [] }, ...over },
    ],
  };
}

interface Setup {
  services: NotificationServiceConfig[];
  history?: HistoryStore;
  delivery?: Partial<NotificationsConfig['delivery']>;
  env?: Record<string, string>;
}

function notifier(s: Setup) {
  const sleeps: number[] = [];
  const n = new Notifier({
    config: {
      publicUrl: 'https://skiff.example.com/',
      services: s.services,
      triggers: [...DEFAULT_TRIGGERS],
      healthDegradedSeconds: 60,
      delivery: { concurrency: 4, timeoutSeconds: 5, maxAttempts: 4, ...s.delivery },
    },
    apps: [{ name: 'shop', repoURL: 'https://github.com/acme/shop.git' }],
    env: { GH_TOKEN, GL_TOKEN, ...s.env },
    send: httpSender,
    now: () => 1_700_000_000_000,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    scrub: (t) => t.split(SECRET).join('***'),
    history: s.history,
    log: { info: () => {}, warn: () => {} },
  });
  return { n, sleeps };
}

describe('GitHub commit statuses', () => {
  it('posts pending then success on the commit, with GitHub auth headers, and records both', async () => {
    const gh = await track(githubStatusServer(GH_TOKEN));
    const history = tempHistoryStore();
    const { n } = notifier({
      services: [{ name: 'github', type: 'github', tokenEnv: 'GH_TOKEN', apiUrl: gh.url }],
      history,
    });
    n.notice(facts());
    await n.queue.idle();
    expect(gh.received.map((r) => [r.path, JSON.parse(r.body).state])).toEqual([
      [`/repos/acme/shop/statuses/${SHA}`, 'pending'],
      [`/repos/acme/shop/statuses/${SHA}`, 'success'],
    ]);
    const first = gh.received[0]!;
    expect(first.headers).toMatchObject({
      authorization: `Bearer ${GH_TOKEN}`,
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
      'content-type': 'application/json',
    });
    expect(JSON.parse(first.body)).toEqual({
      state: 'pending',
      target_url: 'https://skiff.example.com/#/apps/shop',
      description: `app/shop: syncing commit ${SHA.slice(0, 7)}`,
      context: 'skiff/shop',
    });
    const recorded = history.listNotifications('shop', 10);
    expect(recorded.map((r) => [r.trigger, r.state, r.outcome, r.attempts, r.status])).toEqual([
      ['on-sync-succeeded', 'success', 'sent', 1, 201],
      ['on-sync-running', 'running', 'sent', 1, 201],
    ]);
  });

  it('a bad token: 401, not retried, recorded as failed with the answer (never the token)', async () => {
    const gh = await track(githubStatusServer('the-real-token-000'));
    const history = tempHistoryStore();
    const { n, sleeps } = notifier({
      services: [{ name: 'github', type: 'github', tokenEnv: 'GH_TOKEN', apiUrl: gh.url }],
      history,
    });
    n.notice(facts({ views: undefined }));
    await n.queue.idle();
    expect(gh.received).toHaveLength(1);
    expect(sleeps).toEqual([]);
    const [r] = history.listNotifications('shop', 10);
    expect(r).toMatchObject({ outcome: 'failed', attempts: 1, status: 401 });
    expect(r?.lastError).toMatch(/^HTTP 401: .*Bad credentials/);
    expect(r?.lastError).not.toContain(GH_TOKEN);
  });

  it('a bad state: 422 from GitHub, final', async () => {
    const gh = await track(githubStatusServer(GH_TOKEN));
    const outcomes: { outcome: string; status?: number; attempts: number }[] = [];
    const q = new DeliveryQueue({
      send: httpSender,
      now: () => 0,
      sleep: async () => {},
      random: () => 0,
      scrub: (t) => t,
      onOutcome: (o) => outcomes.push(o),
    });
    q.enqueue({
      key: 'k',
      service: 'github',
      trigger: 'on-sync-running',
      request: {
        method: 'POST',
        url: `${gh.url}/repos/acme/shop/statuses/${SHA}`,
        headers: { Authorization: `Bearer ${GH_TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ state: 'running', context: 'skiff/shop' }),
      },
    });
    await q.idle();
    expect(outcomes).toMatchObject([{ outcome: 'failed', status: 422, attempts: 1 }]);
  });

  it('retries a 5xx with backoff and jitter, then succeeds', async () => {
    const gh = await track(githubStatusServer(GH_TOKEN));
    gh.failNext(2, 503);
    const history = tempHistoryStore();
    const { n, sleeps } = notifier({
      services: [{ name: 'github', type: 'github', tokenEnv: 'GH_TOKEN', apiUrl: gh.url }],
      history,
    });
    n.notice(facts({ views: undefined }));
    await n.queue.idle();
    expect(gh.received).toHaveLength(3);
    // random() = 0.5: half of 1 s, then half of 2 s (full jitter under a doubling ceiling).
    expect(sleeps).toEqual([500, 1000]);
    expect(history.listNotifications('shop', 1)[0]).toMatchObject({
      outcome: 'sent',
      attempts: 3,
      status: 201,
    });
  });

  it('gives up after maxAttempts, and the delay never exceeds its ceiling', async () => {
    const gh = await track(githubStatusServer(GH_TOKEN));
    gh.failNext(10, 500);
    const history = tempHistoryStore();
    const { n, sleeps } = notifier({
      services: [{ name: 'github', type: 'github', tokenEnv: 'GH_TOKEN', apiUrl: gh.url }],
      history,
      delivery: { maxAttempts: 3 },
    });
    n.notice(facts({ views: undefined }));
    await n.queue.idle();
    expect(gh.received).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
    expect(history.listNotifications('shop', 1)[0]).toMatchObject({
      outcome: 'failed',
      attempts: 3,
      status: 500,
    });
    for (let attempt = 1; attempt < 20; attempt++)
      expect(retryDelay(attempt, DEFAULT_DELIVERY, () => 0.999999)).toBeLessThanOrEqual(
        DEFAULT_DELIVERY.maxDelayMs,
      );
  });

  it('deduplicates: one status per commit and state, also after a restart (the history knows)', async () => {
    const gh = await track(githubStatusServer(GH_TOKEN));
    const history = tempHistoryStore();
    const services: NotificationServiceConfig[] = [
      { name: 'github', type: 'github', tokenEnv: 'GH_TOKEN', apiUrl: gh.url },
    ];
    const first = notifier({ services, history }).n;
    first.notice(facts());
    first.notice(facts());
    await first.queue.idle();
    expect(gh.received).toHaveLength(2);
    // A restarted daemon (fresh memory) sees the same commit live: nothing posted again.
    const second = notifier({ services, history }).n;
    second.notice(facts());
    await second.queue.idle();
    expect(gh.received).toHaveLength(2);
    // A new commit is new.
    second.notice(facts({ admitted: SHA2, views: undefined }));
    await second.queue.idle();
    expect(gh.received.map((r) => JSON.parse(r.body).state)).toEqual(['pending', 'success', 'pending']);
  });

  it('a slow receiver does not slow the caller: notice returns at once, the delivery times out', async () => {
    const gh = await track(githubStatusServer(GH_TOKEN));
    gh.hang(true);
    const history = tempHistoryStore();
    const { n } = notifier({
      services: [{ name: 'github', type: 'github', tokenEnv: 'GH_TOKEN', apiUrl: gh.url }],
      history,
      delivery: { timeoutSeconds: 1, maxAttempts: 1 },
    });
    const started = performance.now();
    const events = n.notice(facts());
    const took = performance.now() - started;
    // The receiver never answers: notice returned with both deliveries still in flight.
    expect(events).toHaveLength(2);
    expect(n.queue.size).toBe(2);
    expect(took).toBeLessThan(1000);
    await n.queue.idle();
    const rows = history.listNotifications('shop', 10);
    expect(rows.map((r) => [r.outcome, r.lastError])).toEqual([
      ['failed', 'no answer within 1000 ms'],
      ['failed', 'no answer within 1000 ms'],
    ]);
  });
});

describe('GitLab commit statuses', () => {
  it('posts running then success with PRIVATE-TOKEN, to the URL-encoded project path', async () => {
    const gl = await track(gitlabStatusServer(GL_TOKEN));
    const { n } = notifier({
      services: [{ name: 'gitlab', type: 'gitlab', tokenEnv: 'GL_TOKEN', apiUrl: gl.url }],
    });
    n.notice(facts());
    await n.queue.idle();
    expect(gl.received.map((r) => [r.path, JSON.parse(r.body).state])).toEqual([
      [`/api/v4/projects/acme%2Fshop/statuses/${SHA}`, 'running'],
      [`/api/v4/projects/acme%2Fshop/statuses/${SHA}`, 'success'],
    ]);
    expect(gl.received[0]?.headers['private-token']).toBe(GL_TOKEN);
    expect(JSON.parse(gl.received[0]!.body)).toMatchObject({
      name: 'skiff/shop',
      target_url: 'https://skiff.example.com/#/apps/shop',
    });
  });

  it('a rejected commit: failed, with the error text', async () => {
    const gl = await track(gitlabStatusServer(GL_TOKEN));
    const { n } = notifier({
      services: [{ name: 'gitlab', type: 'gitlab', tokenEnv: 'GL_TOKEN', apiUrl: gl.url, project: '42' }],
    });
    n.notice(
      facts({
        views: undefined,
        rejected: {
          commit: SHA2,
          diagnostics: [
            {
              file: 'web.yaml',
              line: 3,
              column: 5,
              document: 0,
              path: 'spec',
              severity: 'error',
              code: 'x',
              message: `bad value ${SECRET}`,
            },
          ],
        },
      }),
    );
    await n.queue.idle();
    const failed = gl.received.find((r) => r.path.endsWith(SHA2))!;
    expect(failed.path).toBe(`/api/v4/projects/42/statuses/${SHA2}`);
    const body = JSON.parse(failed.body);
    expect(body.state).toBe('failed');
    expect(body.description).toContain('web.yaml:3:5 spec: bad value *** [x]');
    expect(failed.body).not.toContain(SECRET);
  });

  it('a bad token: 401', async () => {
    const gl = await track(gitlabStatusServer('other'));
    const history = tempHistoryStore();
    const { n } = notifier({
      services: [{ name: 'gitlab', type: 'gitlab', tokenEnv: 'GL_TOKEN', apiUrl: gl.url }],
      history,
    });
    n.notice(facts({ views: undefined }));
    await n.queue.idle();
    expect(history.listNotifications('shop', 1)[0]).toMatchObject({
      outcome: 'failed',
      status: 401,
      attempts: 1,
    });
  });
});

describe('webhooks and Slack', () => {
  it('a webhook gets its template filled with JSON-escaped fields and its secret header; Slack gets {text, blocks}', async () => {
    const hook = await track(receiverServer());
    const slack = await track(receiverServer());
    const { n } = notifier({
      services: [
        {
          name: 'hook',
          type: 'webhook',
          url: `${hook.url}/in`,
          template: '{"event": "{{trigger}}", "text": "{{message}}", "sha": "{{shortCommit}}"}',
          headersEnv: { 'X-Hook-Token': 'HOOK_TOKEN' },
        },
        { name: 'chat', type: 'slack', urlEnv: 'SLACK_URL' },
      ],
      env: { HOOK_TOKEN: 'hook-secret-1', SLACK_URL: `${slack.url}/services/T/B/x` },
    });
    n.notice(facts({ views: undefined, rejected: { commit: SHA2, diagnostics: [] } }));
    await n.queue.idle();
    const bodies = hook.received.map((r) => JSON.parse(r.body));
    expect(bodies.map((b) => b.event).sort()).toEqual(['on-commit-rejected', 'on-sync-running']);
    expect(hook.received[0]?.headers['x-hook-token']).toBe('hook-secret-1');
    expect(slack.received[0]?.path).toBe('/services/T/B/x');
    const s = JSON.parse(slack.received[0]!.body);
    expect(typeof s.text).toBe('string');
    expect(s.blocks[0]).toMatchObject({ type: 'section', text: { type: 'mrkdwn' } });
    expect(s.blocks[0].text.text).toContain('https://skiff.example.com/#/apps/shop');
  });

  it('a host NotReady goes to chat, not to commit statuses', async () => {
    const gh = await track(githubStatusServer(GH_TOKEN));
    const slack = await track(receiverServer());
    const { n } = notifier({
      services: [
        { name: 'github', type: 'github', tokenEnv: 'GH_TOKEN', apiUrl: gh.url },
        { name: 'chat', type: 'slack', url: slack.url },
      ],
    });
    n.notice({ apps: [], hosts: [{ name: 'h1', ready: false, reason: 'SSH connection lost' }] });
    await n.queue.idle();
    expect(gh.received).toHaveLength(0);
    expect(JSON.parse(slack.received[0]!.body).text).toContain('host/h1 is NotReady: SSH connection lost');
  });

  it('a service whose variable is not set stops the start with which variable', () => {
    expect(() =>
      notifier({ services: [{ name: 'github', type: 'github', tokenEnv: 'NOPE_TOKEN' }] }),
    ).toThrow(/notification service "github": token variable NOPE_TOKEN is not set/);
  });
});
