// The Service data plane's decisions inside the pass: one typed syncServiceRules per Ready host
// whose rules differ, computed once from the pods that stay (a pod this pass deletes is in no
// ruleset), nothing while an app is frozen or the rules were not observed, and a host whose
// rules are not in place takes no new pod (tainted) or takes it only after its sync.
import { describe, expect, it } from 'vitest';
import { ruleStateOf } from '../../../src/controllers/services/host-rules.js';
import type { Action } from '../../../src/model/actions.js';
import type { ObservedServiceRules } from '../../../src/model/observed.js';
import type { HostRuleset } from '../../../src/model/service-rules.js';
import {
  emptyPassInputs,
  emptyPassMemory,
  type PassResult,
  reconcilePass,
} from '../../../src/reconcile/pass.js';
import { NETWORK_UNAVAILABLE_TAINT, RULES_UNKNOWN_WAIT_MS } from '../../../src/reconcile/service-rules.js';
import { pod } from '../controllers/services/fixtures.js';
import { host, objectsFrom } from './fake-world.js';

const SERVICE = `
apiVersion: v1
kind: Service
metadata: { name: web }
spec:
  selector: { app: web }
  ports: [{ port: 80, targetPort: 8080 }]
`;
const deployment = (replicas: number) => `
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          image: registry.local/web:1.0.0
          ports: [{ containerPort: 8080 }]
`;

const hosts = [host('h1'), host('h2')];
const nothing: ObservedServiceRules = {
  current: { chains: { nat: [], filter: [] }, hashes: {}, hooks: {}, routes: [] },
};
type Sync = Extract<Action, { type: 'syncServiceRules' }>;
const syncsOf = (r: PassResult) => r.actions.filter((a): a is Sync => a.type === 'syncServiceRules');
const createsOf = (r: PassResult) =>
  r.actions.filter((a): a is Extract<Action, { type: 'createPod' }> => a.type === 'createPod');

function pass(opts: {
  yaml: string;
  prune?: boolean;
  frozen?: string[];
  rules?: Record<string, ObservedServiceRules>;
  pods?: ReturnType<typeof pod>[];
  now?: number;
  failingSince?: Record<string, number>;
}): PassResult {
  return reconcilePass({
    apps: [{ name: 'shop', commit: 'c1', objects: objectsFrom(opts.yaml), prune: opts.prune ?? false }],
    frozenApps: opts.frozen ?? [],
    observed: { at: 1_000, hosts, pods: opts.pods ?? [], serviceRules: opts.rules },
    inputs: emptyPassInputs(),
    memory: { ...emptyPassMemory(), rulesFailingSince: opts.failingSince },
    now: opts.now ?? 1_000,
    random: () => 0.5,
    options: { hostGracePeriodMs: 40_000, serviceCIDR: '10.96.0.0/24' },
  });
}

const ready = [
  pod('web-1', 'h1', { labels: { app: 'web' } }),
  pod('web-2', 'h2', { labels: { app: 'web' } }),
];

describe('reconcilePass and Service rules', () => {
  it('emits one typed syncServiceRules per Ready host whose rules differ, and none once they match', () => {
    const r = pass({ yaml: SERVICE, pods: ready, rules: { h1: nothing, h2: nothing } });
    const syncs = syncsOf(r);
    expect(syncs.map((s) => s.host)).toEqual(['h1', 'h2']);
    for (const s of syncs) {
      const ruleset: HostRuleset = s.ruleset;
      expect(ruleset.host).toBe(s.host);
      expect(ruleset.empty).toBe(false);
      expect(ruleset.rules.nat.join('\n')).toContain('DNAT');
    }
    expect(r.views.endpoints).toEqual([
      {
        namespace: 'default',
        name: 'web',
        app: 'shop',
        endpoints: ['10.0.0.1:32768', '10.0.0.2:32768'],
      },
    ]);
    const inPlace = Object.fromEntries(syncs.map((s) => [s.host, { current: ruleStateOf(s.ruleset) }]));
    const again = pass({ yaml: SERVICE, pods: ready, rules: inPlace });
    expect(syncsOf(again)).toEqual([]);
  });

  it('leaves a pod this pass deletes out of every ruleset it writes', () => {
    // prune on and no Deployment in Git: both web pods are deleted by this very pass.
    const r = pass({ yaml: SERVICE, prune: true, pods: ready, rules: { h1: nothing, h2: nothing } });
    expect(r.actions.filter((a) => a.type === 'deletePod')).toHaveLength(2);
    const syncs = syncsOf(r);
    expect(syncs).toHaveLength(2);
    for (const s of syncs) expect(s.ruleset.chains.nat.some((c) => c.startsWith('SKIFF-SEP-'))).toBe(false);
    expect(r.views.endpoints[0]!.endpoints).toEqual([]);
  });

  it('changes no rule and reports no Service problem while an app is frozen', () => {
    // A headless Service is a problem the pass reports (HeadlessUnsupported) when it may act.
    const headless = SERVICE.replace('selector:', 'clusterIP: None\n  selector:');
    const acting = pass({ yaml: headless, pods: ready, rules: { h1: nothing, h2: nothing } });
    expect(acting.events.filter((e) => e.object === 'service/web').map((e) => e.reason)).toEqual([
      'HeadlessUnsupported',
    ]);
    const r = pass({ yaml: headless, pods: ready, frozen: ['other'], rules: { h1: nothing, h2: nothing } });
    expect(syncsOf(r)).toEqual([]);
    expect(r.events.filter((e) => e.object === 'service/web')).toEqual([]);
  });

  it('decides nothing about rules it was not given (dry run, standby)', () => {
    const r = pass({ yaml: SERVICE + deployment(2), pods: [] });
    expect(syncsOf(r)).toEqual([]);
    expect(createsOf(r).every((a) => a.dependsOn === undefined)).toBe(true);
    expect(r.views.hosts.every((h) => h.taints.length === 0)).toBe(true);
  });

  it('keeps new pods off a host whose rules failed, and makes pods on a host being synced wait for it', () => {
    const r = pass({
      yaml: SERVICE + deployment(4),
      rules: { h1: nothing, h2: { error: 'iptables-save: not found' } },
    });
    expect(r.views.hosts.find((h) => h.name === 'h2')?.taints).toEqual([
      { key: NETWORK_UNAVAILABLE_TAINT, effect: 'NoSchedule' },
    ]);
    expect(syncsOf(r).map((s) => s.host)).toEqual(['h1']);
    const creates = createsOf(r);
    expect(creates).toHaveLength(4);
    expect(creates.every((a) => a.host === 'h1' && a.dependsOn?.includes('rules@h1'))).toBe(true);
  });

  it('taints nothing when there is no Service at all', () => {
    const r = pass({
      yaml: deployment(2),
      rules: { h1: nothing, h2: { error: 'iptables-save: not found' } },
    });
    expect(r.views.hosts.every((h) => h.taints.length === 0)).toBe(true);
  });

  describe('deleting a pod a Service selects', () => {
    const deletesOf = (r: PassResult) =>
      r.actions.filter((a): a is Extract<Action, { type: 'deletePod' }> => a.type === 'deletePod');

    it('depends on every rule sync of the pass: a host that kept the pod in its rules keeps it alive', () => {
      const r = pass({ yaml: SERVICE, prune: true, pods: ready, rules: { h1: nothing, h2: nothing } });
      const deletes = deletesOf(r);
      expect(deletes).toHaveLength(2);
      for (const d of deletes) expect(d.dependsOn).toEqual(['rules@h1', 'rules@h2']);
    });

    it('waits while a Ready host could not be read (its rules may still name the pod), at most the bound', () => {
      const rules = { h1: nothing, h2: { error: 'ssh: channel open timed out' } };
      const first = pass({ yaml: SERVICE, prune: true, pods: ready, rules });
      expect(deletesOf(first)).toEqual([]);
      expect(first.memory.rulesFailingSince).toEqual({ h2: 1_000 });
      expect(first.requeueAfterMs).toBeLessThanOrEqual(1_000);
      expect(first.events.map((e) => e.reason)).toContain('WaitingForServiceRules');
      // h1's rules still drop the pods now: they drain while they wait.
      expect(syncsOf(first).map((s) => s.host)).toEqual(['h1']);

      const later = { rules, failingSince: { h2: 1_000 } };
      const still = pass({ yaml: SERVICE, prune: true, pods: ready, now: RULES_UNKNOWN_WAIT_MS, ...later });
      expect(deletesOf(still)).toEqual([]);
      const past = pass({
        yaml: SERVICE,
        prune: true,
        pods: ready,
        now: 1_000 + RULES_UNKNOWN_WAIT_MS,
        ...later,
      });
      expect(deletesOf(past)).toHaveLength(2);
      expect(past.memory.rulesFailingSince).toEqual({ h2: 1_000 });
    });

    it('after the bound, no longer depends on the sync of a host whose writes keep failing', () => {
      const failing = { current: nothing.current, error: 'iptables-restore: line 3 failed' };
      const rules = { h1: nothing, h2: failing };
      const within = pass({ yaml: SERVICE, prune: true, pods: ready, rules });
      expect(deletesOf(within).map((d) => d.dependsOn)).toEqual([
        ['rules@h1', 'rules@h2'],
        ['rules@h1', 'rules@h2'],
      ]);
      const past = pass({
        yaml: SERVICE,
        prune: true,
        pods: ready,
        rules,
        now: 1_000 + RULES_UNKNOWN_WAIT_MS,
        failingSince: { h2: 1_000 },
      });
      expect(deletesOf(past).map((d) => d.dependsOn)).toEqual([['rules@h1'], ['rules@h1']]);
    });

    it('forgets a host once its rules are read again, and leaves pods no Service selects alone', () => {
      const r = pass({
        yaml: SERVICE,
        prune: true,
        pods: ready,
        rules: { h1: nothing, h2: nothing },
        failingSince: { h2: 1 },
      });
      expect(r.memory.rulesFailingSince).toEqual({});
      const other = [pod('db-1', 'h1', { labels: { app: 'db' } })];
      const d = pass({ yaml: SERVICE, prune: true, pods: other, rules: { h1: nothing, h2: { error: 'x' } } });
      expect(deletesOf(d).map((a) => [a.pod.name, a.dependsOn])).toEqual([['db-1', undefined]]);
    });
  });
});
