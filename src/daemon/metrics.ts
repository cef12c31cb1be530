// The daemon's Prometheus metrics (prom-client), one Registry per skiff instance (never the
// global one: two instances in one process, or tests, do not collide). Shell: it observes what
// the rest of the shell reports (each pass's PassSummary, each action's outcome, git fetches,
// Docker calls and SSH connections, probe results, webhook answers) and reads the read model
// (pods, Deployments, hosts, HPAs) at scrape time. The pure core knows nothing of it.
// Invariants: label values are identifiers only (app, host, namespace, pod, container, kind,
// result, code: bounded sets, never free text such as an error message), so no Secret value can
// reach a label; the API scrubs the exposition anyway. Probe series are removed when their pod
// is gone, so their cardinality follows the live pods.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { HeadSource } from '../git/poller.js';
import type { Action, ActionResult } from '../model/actions.js';
import type { ClusterView, HpaView } from '../model/views.js';
import type { RuntimeObserver } from '../runtime/runtime-observer.js';
import type { PassSummary } from './reconciler.js';
import { type RolloutMemory, trackRollouts } from './rollout-metrics.js';

/** What the gauges read at scrape time (set once the instance is wired). */
export interface MetricsReadModel {
  view(): ClusterView | undefined;
  last(): PassSummary | undefined;
  hpas(): HpaView[];
}

export type WebhookResult = 'accepted' | 'unauthorized' | 'rejected' | 'error';
export type ProbeType = 'startup' | 'liveness' | 'readiness';

/** Seconds: from a fast Docker inspect (ms) to a slow pass or image pull (minutes). */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Rollouts take seconds to the progress deadline (600 s by default) and beyond. */
const ROLLOUT_BUCKETS = [1, 5, 10, 30, 60, 120, 300, 600, 1200, 3600];

/** A label value that is an identifier (a code, a name), or `unknown`: never free text. */
export function identifierLabel(value: string | undefined): string {
  return value && /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,62}$/.test(value) ? value : 'unknown';
}

export class DaemonMetrics {
  readonly registry = new Registry();
  private model: MetricsReadModel | undefined;
  private rollouts: RolloutMemory = {};
  /** Probe series by pod (`namespace/name`), to remove them when the pod is gone. */
  private readonly probeSeries = new Map<string, Set<string>>();

  private readonly syncs = this.counter('skiff_syncs_total', 'Sync results per app and pass.', [
    'app',
    'result',
  ]);
  private readonly passDuration = this.histogram(
    'skiff_pass_duration_seconds',
    'Duration of reconcile passes.',
    [],
  );
  private readonly phaseDuration = this.histogram(
    'skiff_pass_phase_duration_seconds',
    'Duration of each phase of a reconcile pass (observe, plan, execute).',
    ['phase'],
  );
  private readonly actions = this.counter(
    'skiff_actions_total',
    'Actions executed, by kind and final outcome.',
    ['kind', 'result'],
  );
  private readonly gitFetch = this.histogram(
    'skiff_git_fetch_duration_seconds',
    'Duration of git fetches (resolving the head).',
    ['app'],
  );
  private readonly gitErrors = this.counter('skiff_git_fetch_errors_total', 'Failed git fetches.', [
    'app',
    'code',
  ]);
  private readonly sshReconnects = this.counter(
    'skiff_ssh_reconnects_total',
    'SSH reconnection attempts after the first connection attempt, by result.',
    ['host', 'result'],
  );
  private readonly sshDisconnects = this.counter(
    'skiff_ssh_disconnects_total',
    'Established SSH connections lost.',
    ['host'],
  );
  private readonly dockerLatency = this.histogram(
    'skiff_docker_call_duration_seconds',
    'Latency of Docker API calls, by host and operation.',
    ['host', 'operation'],
  );
  private readonly dockerErrors = this.counter(
    'skiff_docker_call_errors_total',
    'Failed Docker API calls (errors and timeouts).',
    ['host', 'operation'],
  );
  private readonly probes = this.counter('skiff_probe_results_total', 'Probe results per container.', [
    'namespace',
    'pod',
    'container',
    'probe',
    'result',
  ]);
  private readonly rolloutDuration = this.histogram(
    'skiff_rollout_duration_seconds',
    'Duration of Deployment rollouts, from a new template to Complete or Failed.',
    ['app', 'result'],
    ROLLOUT_BUCKETS,
  );
  private readonly webhooks = this.counter('skiff_webhook_requests_total', 'Webhook requests by result.', [
    'result',
  ]);
  private readonly notifications = this.counter(
    'skiff_notifications_total',
    'Notification deliveries by final outcome (sent, or failed after its retries).',
    ['result'],
  );

  constructor() {
    for (const result of ['sent', 'failed']) this.notifications.inc({ result }, 0);
    this.readModelGauges();
  }

  /** Where the gauges read the pods, Deployments, hosts, last pass and HPAs at scrape time. */
  readFrom(model: MetricsReadModel): void {
    this.model = model;
  }

  /** The exposition text (Prometheus text format 0.0.4). */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** One pass: its duration and phases, each app's sync result, rollouts that ended, and the
   *  probe series of pods that are gone. */
  observePass(s: PassSummary): void {
    this.passDuration.observe(s.durationMs / 1000);
    for (const [phase, ms] of [
      ['observe', s.phases.observeMs],
      ['plan', s.phases.planMs],
      ['execute', s.phases.executeMs],
    ] as const)
      this.phaseDuration.observe({ phase }, ms / 1000);
    for (const { app, result } of s.syncs) this.syncs.inc({ app, result });
    const r = trackRollouts(this.rollouts, s.result.views.deployments, s.at);
    this.rollouts = r.memory;
    for (const f of r.finished) this.rolloutDuration.observe({ app: f.app, result: f.result }, f.seconds);
    this.forgetGonePods(new Set(s.observed.pods.map((p) => `${p.namespace}/${p.name}`)));
  }

  /** One action's final outcome (a background deletion's when it ends). */
  observeAction(a: Action, r: ActionResult): void {
    this.actions.inc({ kind: a.type, result: r.outcome });
  }

  observeGitFetch(app: string, seconds: number, error?: { code?: unknown }): void {
    this.gitFetch.observe({ app }, seconds);
    if (error) this.gitErrors.inc({ app, code: identifierLabel(codeOf(error)) });
  }

  observeProbe(pod: { namespace: string; name: string }, container: string, probe: ProbeType, ok: boolean) {
    const labels = {
      namespace: pod.namespace,
      pod: pod.name,
      container,
      probe,
      result: ok ? 'success' : 'failure',
    };
    this.probes.inc(labels);
    const key = `${pod.namespace}/${pod.name}`;
    const series = this.probeSeries.get(key) ?? new Set<string>();
    series.add(JSON.stringify(labels));
    this.probeSeries.set(key, series);
  }

  observeWebhook(result: WebhookResult): void {
    this.webhooks.inc({ result });
  }

  /** One notification delivery's final outcome. */
  observeNotification(result: 'sent' | 'failed'): void {
    this.notifications.inc({ result });
  }

  /** What the runtime reports: Docker call latencies and SSH (re)connections, by host. */
  readonly runtime: RuntimeObserver = {
    dockerCall: (host, operation, seconds, ok) => {
      const labels = { host, operation: identifierLabel(operation.replace(/ /g, '_')) };
      this.dockerLatency.observe(labels, seconds);
      if (!ok) this.dockerErrors.inc(labels);
    },
    sshConnect: (host, reconnect, ok) => {
      if (reconnect) this.sshReconnects.inc({ host, result: ok ? 'success' : 'failure' });
    },
    sshDropped: (host) => this.sshDisconnects.inc({ host }),
  };

  private forgetGonePods(live: ReadonlySet<string>): void {
    for (const [pod, series] of this.probeSeries) {
      if (live.has(pod)) continue;
      for (const s of series) this.probes.remove(JSON.parse(s) as Record<string, string>);
      this.probeSeries.delete(pod);
    }
  }

  private counter<L extends string>(name: string, help: string, labelNames: L[]): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  private histogram<L extends string>(
    name: string,
    help: string,
    labelNames: L[],
    buckets = LATENCY_BUCKETS,
  ): Histogram<L> {
    return new Histogram({ name, help, labelNames, buckets, registers: [this.registry] });
  }

  /** Gauge whose samples are read from the read model at scrape time. */
  private gauge<L extends string>(
    name: string,
    help: string,
    labelNames: L[],
    samples: (m: MetricsReadModel) => [Partial<Record<L, string>>, number][],
  ): void {
    const read = () => this.model;
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        this.reset();
        const m = read();
        if (m) for (const [labels, v] of samples(m)) this.set(labels, v);
      },
    });
  }

  private readModelGauges(): void {
    this.gauge('skiff_pods', 'Pods by phase.', ['phase'], (m) => {
      const phases = new Map<string, number>();
      for (const p of m.view()?.pods ?? []) phases.set(p.phase, (phases.get(p.phase) ?? 0) + 1);
      return [...phases].map(([phase, n]) => [{ phase }, n]);
    });
    this.gauge(
      'skiff_deployment_available_replicas',
      'Available replicas per Deployment.',
      ['app', 'namespace', 'deployment'],
      (m) =>
        (m.view()?.deployments ?? []).map((d) => [
          { app: d.app, namespace: d.namespace, deployment: d.name },
          d.availableReplicas,
        ]),
    );
    this.gauge('skiff_host_ready', 'Whether each host is Ready.', ['host'], (m) =>
      (m.view()?.hosts ?? []).map((h) => [{ host: h.name }, h.ready ? 1 : 0]),
    );
    this.gauge('skiff_last_pass_duration_seconds', 'Duration of the last reconcile pass.', [], (m) => [
      [{}, (m.last()?.durationMs ?? 0) / 1000],
    ]);
    this.gauge('skiff_last_pass_actions', 'Actions of the last reconcile pass.', [], (m) => [
      [{}, m.last()?.actions.length ?? 0],
    ]);
    const hpaLabels = (h: HpaView) => ({ app: h.app, namespace: h.namespace, hpa: h.name });
    this.gauge(
      'skiff_hpa_desired_replicas',
      'Replicas each HPA wants (its last decision).',
      ['app', 'namespace', 'hpa'],
      (m) => m.hpas().map((h) => [hpaLabels(h), h.desiredReplicas]),
    );
    this.gauge(
      'skiff_hpa_current_replicas',
      'Replicas of each HPA target now.',
      ['app', 'namespace', 'hpa'],
      (m) => m.hpas().map((h) => [hpaLabels(h), h.currentReplicas]),
    );
  }
}

function codeOf(error: { code?: unknown }): string | undefined {
  return typeof error.code === 'string' ? error.code : undefined;
}

/** Counts a webhook request by what it was answered (or by its failure), and passes it on. */
export async function countWebhook<A extends { status: number }>(
  metrics: DaemonMetrics | undefined,
  answer: A | Promise<A>,
): Promise<A> {
  try {
    const a = await answer;
    metrics?.observeWebhook(webhookResultOf(a.status));
    return a;
  } catch (err) {
    metrics?.observeWebhook('error');
    throw err;
  }
}

function webhookResultOf(status: number): WebhookResult {
  if (status < 300) return 'accepted';
  if (status === 401 || status === 403) return 'unauthorized';
  return status < 500 ? 'rejected' : 'error';
}

/** The app's source as the poller resolves it, each fetch timed (and its failure counted) by
 *  the metrics: every fetch of the daemon (schedule, webhook, `skiff sync`) goes through it. */
export function timedHeadSource(source: HeadSource, metrics: DaemonMetrics): HeadSource {
  return {
    app: source.app,
    async resolveHead() {
      const started = performance.now();
      const seconds = () => (performance.now() - started) / 1000;
      try {
        const head = await source.resolveHead();
        metrics.observeGitFetch(source.app, seconds());
        return head;
      } catch (err) {
        metrics.observeGitFetch(source.app, seconds(), err as { code?: unknown });
        throw err;
      }
    },
  };
}
