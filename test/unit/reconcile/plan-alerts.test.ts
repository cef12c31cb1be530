// The alerts a plan leads with: what the daemon would refuse, what deletes every workload,
// unschedulable pods, Services left without endpoints.
import { describe, expect, it } from 'vitest';
import { renderPlanMarkdown, renderPlanText } from '../../../src/cli/views/plan.js';
import type { KubeObject } from '../../../src/model/k8s.js';
import type { Plan } from '../../../src/model/plan.js';
import { type PlanAlertInput, planAlerts } from '../../../src/reconcile/plan-alerts.js';
import { objectsFrom } from './fake-world.js';

const deployment = (name: string, label = name) => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name} }
spec:
  replicas: 2
  selector: { matchLabels: { app: ${label} } }
  template:
    metadata: { labels: { app: ${label} } }
    spec:
      containers: [{ name: ${name}, image: registry.local/${name}:1 }]
`;
const service = (name: string, selects: string) => `
apiVersion: v1
kind: Service
metadata: { name: ${name} }
spec:
  selector: { app: ${selects} }
  ports: [{ port: 80, targetPort: 8080 }]
`;
const config = `
apiVersion: v1
kind: ConfigMap
metadata: { name: settings }
data: { MODE: fast }
`;

const docs = (...parts: string[]) => objectsFrom(parts.join('\n---\n'));

function alerts(live: KubeObject[], next: KubeObject[], over: Partial<PlanAlertInput> = {}): string[] {
  return planAlerts({
    plan: { unschedulable: [], prunes: [] },
    liveObjects: live,
    nextObjects: next,
    emptyGuard: { allowEmpty: false, appPathFound: true, path: 'deploy' },
    ...over,
  });
}

describe('planAlerts', () => {
  const live = docs(deployment('web'), service('web', 'web'));

  it('says nothing of an ordinary change', () => {
    expect(alerts(live, docs(deployment('web'), service('web', 'web'), config))).toEqual([]);
  });

  it('names the empty-commit guard: no objects, or no path', () => {
    expect(alerts(live, [])).toEqual([
      'the daemon would refuse this revision: it has no objects under "deploy", which would prune the app to nothing (set syncPolicy.allowEmpty to allow)',
      'this revision deletes every object of the app (1 workload)',
    ]);
    const noPath = { emptyGuard: { allowEmpty: false, appPathFound: false, path: 'deploy' } };
    expect(alerts(live, [], noPath)[0]).toBe(
      'the daemon would refuse this revision: the app\'s path "deploy" does not exist in it (set syncPolicy.allowEmpty to allow)',
    );
  });

  it('with allowEmpty, an empty revision is not refused but still deletes everything', () => {
    const allowed = {
      emptyGuard: { allowEmpty: true, appPathFound: true, path: 'deploy' },
      plan: {
        unschedulable: [],
        prunes: [{ kind: 'Deployment', namespace: 'default', name: 'web', pods: 2 }],
      },
    };
    expect(alerts(live, [], allowed)).toEqual([
      'this revision deletes every object of the app (1 workload, 2 pods removed)',
    ]);
  });

  it('a revision that keeps only config deletes every workload', () => {
    expect(alerts(live, docs(config))).toEqual([
      'this revision deletes every workload of the app (1 workload)',
    ]);
  });

  it('groups unschedulable pods by owner with the reason', () => {
    const plan = {
      unschedulable: [
        { pod: 'web-a', owner: 'deployment/web', reason: '0/3 nodes are available: 3 Insufficient cpu.' },
        { pod: 'web-b', owner: 'deployment/web', reason: '0/3 nodes are available: 3 Insufficient cpu.' },
      ],
      prunes: [],
    };
    expect(alerts(live, live, { plan })).toEqual([
      '2 pods of deployment/web would not be scheduled: 0/3 nodes are available: 3 Insufficient cpu.',
    ]);
  });

  it('a Service whose pods lose the label it selects loses its endpoints', () => {
    expect(alerts(live, docs(deployment('web', 'website'), service('web', 'web')))).toEqual([
      'service/web selects app=web, which no pod template of this revision carries: it would lose all its endpoints (it has some now)',
    ]);
  });

  it('a new Service selecting nothing would have no endpoints', () => {
    expect(alerts(live, docs(deployment('web'), service('web', 'web'), service('api', 'api')))).toEqual([
      'service/api selects app=api, which no pod template of this revision carries: it would have no endpoints',
    ]);
  });
});

describe('alerts in the rendered plan', () => {
  const plan: Plan = {
    app: 'demo',
    fromCommit: 'a1b2c3d4e5f6',
    toCommit: 'e4f5a6b7c8d9',
    alerts: ['this revision deletes every workload of the app (1 workload)'],
    changes: [],
    placement: [],
    unschedulable: [],
    prunes: [],
    rollouts: [],
    warnings: [],
  };

  it('leads the text, right under the summary', () => {
    const lines = renderPlanText(plan).split('\n');
    expect(lines.slice(1, 5)).toEqual([
      'No changes.',
      '',
      'Attention:',
      '  !! this revision deletes every workload of the app (1 workload)',
    ]);
  });

  it('leads the comment as a caution block', () => {
    const md = renderPlanMarkdown(plan);
    expect(md).toContain('> [!CAUTION]\n> - this revision deletes every workload of the app (1 workload)\n');
    expect(md.indexOf('[!CAUTION]')).toBeLessThan(md.indexOf('####') === -1 ? md.length : md.indexOf('####'));
  });
});
