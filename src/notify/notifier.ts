// src/notify: commit statuses and notifications (issue 17). After every acting pass and every
// refresh the daemon hands the Notifier what the apps look like now; the pure triggers
// (triggers.ts) say which events are new, payloads.ts turns each into the request of each
// subscribed service, and the delivery queue sends them in the background (bounded, retried
// with backoff, deduplicated, recorded in the history). Shell. Invariants: `notice` returns at
// once and never throws (a slow or failing receiver never slows a pass, a failure is logged and
// recorded, never fatal); no body or error text leaves without the scrub (Secret values of the
// desired state, and the services' own tokens and URLs).
import { compileScrubber } from '../diff/redact-values.js';
import { type DeliveryDeps, type DeliveryOutcome, DeliveryQueue, type Sender } from './delivery-queue.js';
import type { AppNotificationsConfig, NotificationsConfig } from './notify-config.js';
import type { NotificationEvent } from './notify-types.js';
import { dedupeKey, type ResolvedService, renderRequest } from './payloads.js';
import { resolveServices, serviceSecrets } from './services.js';
import { decideNotifications, emptyNotifyMemory, type NotifyFacts, type NotifyMemory } from './triggers.js';

/** The history as the notifier uses it (HistoryStore implements it). */
export interface NotificationRecorder {
  recordNotification(input: {
    at: number;
    app: string;
    service: string;
    trigger: string;
    commit?: string;
    state?: string;
    dedupeKey: string;
    outcome: 'sent' | 'failed';
    attempts: number;
    status?: number;
    lastError?: string;
  }): unknown;
  notificationSent(key: string): boolean;
}

export interface NotifierLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface NotifierDeps {
  config: NotificationsConfig;
  apps: readonly { name: string; repoURL: string; notifications?: AppNotificationsConfig }[];
  env: Record<string, string | undefined>;
  send: Sender;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  /** The daemon's SecretScrubber. */
  scrub: (text: string) => string;
  history?: NotificationRecorder;
  log: NotifierLog;
  /** Told each delivery's final outcome (the metrics). */
  onOutcome?: (service: string, outcome: 'sent' | 'failed') => void;
}

export class Notifier {
  private memory: NotifyMemory = emptyNotifyMemory();
  private readonly services: ResolvedService[];
  readonly queue: DeliveryQueue;

  /** Throws a UsageError when a service's variable is not set (before the daemon starts). */
  constructor(private readonly deps: NotifierDeps) {
    this.services = resolveServices(deps.config.services, deps.env);
    const own = compileScrubber(serviceSecrets(deps.config.services, this.services));
    const scrub = (text: string) => deps.scrub(own(text));
    const queueDeps: DeliveryDeps = {
      send: deps.send,
      now: deps.now,
      sleep: deps.sleep,
      random: deps.random,
      scrub,
      seen: (key) => deps.history?.notificationSent(key) ?? false,
      onOutcome: (o) => this.outcome(o),
    };
    const d = deps.config.delivery;
    this.queue = new DeliveryQueue(queueDeps, {
      concurrency: d.concurrency,
      timeoutMs: d.timeoutSeconds * 1000,
      maxAttempts: d.maxAttempts,
    });
  }

  /** What the apps look like now: queue what is new. Returns the new events (tests, logs). */
  notice(facts: NotifyFacts): NotificationEvent[] {
    const now = this.deps.now();
    const decided = decideNotifications(
      facts,
      this.memory,
      now,
      this.deps.config.healthDegradedSeconds * 1000,
    );
    this.memory = decided.memory;
    for (const event of decided.events) this.route(event);
    return decided.events;
  }

  /** Stop taking events; deliveries in flight end on their own (bounded by their timeout). */
  stop(): void {
    this.queue.stop();
  }

  private route(event: NotificationEvent): void {
    const app = event.app === undefined ? undefined : this.deps.apps.find((a) => a.name === event.app);
    const triggers = app?.notifications?.triggers ?? this.deps.config.triggers;
    if (!triggers.includes(event.trigger)) return;
    const names = app?.notifications?.services;
    for (const svc of this.services) {
      if (names && !names.includes(svc.name)) continue;
      const request = renderRequest(svc, event, {
        repoURL: app?.repoURL,
        publicUrl: this.deps.config.publicUrl,
      });
      if (!request) continue;
      this.queue.enqueue({
        key: dedupeKey(svc, event),
        service: svc.name,
        trigger: event.trigger,
        app: event.app,
        commit: event.commit,
        state: event.state,
        request,
      });
    }
  }

  private outcome(o: DeliveryOutcome): void {
    const { job } = o;
    const what = {
      service: job.service,
      trigger: job.trigger,
      app: job.app,
      commit: job.commit?.slice(0, 7),
      attempts: o.attempts,
    };
    if (o.outcome === 'sent') this.deps.log.info(what, 'notification sent');
    else this.deps.log.warn({ ...what, status: o.status, error: o.error }, 'notification failed');
    this.deps.onOutcome?.(job.service, o.outcome);
    this.deps.history?.recordNotification({
      at: o.at,
      app: job.app ?? '',
      service: job.service,
      trigger: job.trigger,
      commit: job.commit,
      state: job.state,
      dedupeKey: job.key,
      outcome: o.outcome,
      attempts: o.attempts,
      status: o.status,
      lastError: o.error,
    });
  }
}
