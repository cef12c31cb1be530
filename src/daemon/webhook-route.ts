// POST /webhook: a git host says a branch moved. Verified strictly: each app that configures a
// webhook names its secret's environment variable, read once at start (a missing or empty one
// fails the start: never "accept unsigned"); a delivery is accepted only if signed with the
// secret of an app whose repository its payload names, and only those apps are fetched.
// A delivery seen within 10 minutes is answered 200 and ignored, not 409: git hosts retry and
// GitLab disables a hook after repeated 4xx answers, while a replay gains nothing (a webhook
// only triggers a fetch). Shell.

import type { IncomingMessage } from 'node:http';
import type { AppConfig } from '../config/cluster-config.js';
import {
  deliveryId,
  payloadNamesRepository,
  payloadRepositories,
  ReplayWindow,
  verifyWebhook,
} from '../git/webhook.js';
import { UsageError } from '../model/errors.js';
import { type Answer, answer, refuse } from './api-answer.js';
import { MAX_WEBHOOK_BODY, readBody } from './api-bounds.js';

/** Each app's webhook secret, from the environment; throws (exit 2) for a missing or empty one. */
export function resolveWebhookSecrets(
  apps: readonly AppConfig[],
  env: Record<string, string | undefined>,
): Map<string, string> {
  const secrets = new Map<string, string>();
  for (const app of apps) {
    const name = app.webhook?.secretEnv;
    if (name === undefined) continue;
    const secret = env[name];
    if (!secret)
      throw new UsageError(
        `app "${app.name}": webhook secret variable ${name} is ${secret === undefined ? 'not set' : 'empty'}`,
        `export ${name} with the webhook's secret before starting the daemon, or remove apps[].webhook`,
      );
    secrets.set(app.name, secret);
  }
  return secrets;
}

export interface WebhookState {
  apps: readonly AppConfig[];
  secrets: ReadonlyMap<string, string>;
  replay: ReplayWindow;
  refreshApp(app: string): Promise<void>;
  now(): number;
}

export function webhookState(
  apps: readonly AppConfig[],
  env: Record<string, string | undefined>,
  refreshApp: (app: string) => Promise<void>,
  now: () => number,
): WebhookState {
  return { apps, secrets: resolveWebhookSecrets(apps, env), replay: new ReplayWindow(), refreshApp, now };
}

export async function serveWebhook(req: IncomingMessage, w: WebhookState): Promise<Answer> {
  const body = await readBody(req, MAX_WEBHOOK_BODY);
  if (!Buffer.isBuffer(body)) return body;
  if (w.secrets.size === 0)
    return refuse(404, 'no app configures a webhook', 'set apps[].webhook.secretEnv in skiff.yaml');
  const named = payloadRepositories(body);
  const signed = w.apps.filter((a) => {
    const secret = w.secrets.get(a.name);
    return secret !== undefined && verifyWebhook(secret, req.headers, body).ok;
  });
  const delivery = deliveryId(req.headers);
  const audit = (result: string, apps: string[] = []) => ({
    params: { delivery, apps },
    result,
    who: 'webhook',
  });
  if (signed.length === 0)
    return { ...refuse(401, 'bad or missing webhook signature'), audit: audit('bad signature') };
  if (w.replay.replayed(delivery, body, w.now()))
    return {
      ...answer(200, { accepted: false, reason: 'duplicate delivery' }),
      audit: audit('replay ignored'),
    };
  const targets = signed.filter((a) => payloadNamesRepository(named, a.repoURL)).map((a) => a.name);
  for (const app of targets) void w.refreshApp(app).catch(() => undefined);
  return { ...answer(202, { accepted: true, refreshed: targets }), audit: audit('accepted', targets) };
}
