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
import { NETWORK_UNAVAILABLE_TAINT } from '../../../src/reconcile/service-rules.js';
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
}): PassResult {
  return reconcilePass({
    apps: [{ name: 'shop', commit: 'c1', objects: objectsFrom(opts.yaml), prune: opts.prune ?? false }],
    frozenApps: opts.frozen ?? [],
    observed: { at: 1_000, hosts, pods: opts.pods ?? [], serviceRules: opts.rules },
    inputs: emptyPassInputs(),
    memory: emptyPassMemory(),
    now: 1_000,
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
});
