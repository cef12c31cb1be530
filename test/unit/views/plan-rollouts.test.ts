// The rollout section of a plan in text, markdown and JSON: exact lines for a 3 -> 5 rollout
// with an image bump and a ConfigMap key, recorded starts, an HPA and two PDBs.
import { describe, expect, it } from 'vitest';
import { renderPlanJson, renderPlanMarkdown, renderPlanText } from '../../../src/cli/views/plan.js';
import type { DeploymentRollout, Plan } from '../../../src/model/plan.js';

const rollout: DeploymentRollout = {
  namespace: 'default',
  name: 'web',
  reason: 'image web:1 -> web:2; configmap/web-config key LOG_LEVEL; scale 3 -> 5',
  strategy: 'RollingUpdate',
  replicasBefore: 3,
  replicasAfter: 5,
  maxSurge: 2,
  maxUnavailable: 1,
  steps: [
    { created: 4, deleted: 0, ready: 3, total: 7 },
    { created: 1, deleted: 3, ready: 4, total: 5 },
  ],
  floor: 3,
  ceiling: 7,
  minAvailable: 4,
  maxPods: 7,
  estimate: {
    seconds: 8.4,
    waves: 2,
    podReadySeconds: 4.2,
    minReadySeconds: 0,
    source: 'recorded',
    samples: 3,
  },
  pdbs: [
    { name: 'pdb/web', limit: 'minAvailable 2', desiredHealthy: 2, respected: true },
    { name: 'pdb/web-strict', limit: 'maxUnavailable 0', desiredHealthy: 5, respected: false },
  ],
};

const recreate: DeploymentRollout = {
  ...rollout,
  name: 'db',
  reason: 'template change: spec.template.spec.containers[db].env',
  strategy: 'Recreate',
  replicasBefore: 1,
  replicasAfter: 4,
  replicasOwnedBy: 'hpa/db',
  maxSurge: 0,
  maxUnavailable: 0,
  steps: [
    { created: 0, deleted: 1, ready: 0, total: 0 },
    { created: 4, deleted: 0, ready: 0, total: 4 },
  ],
  floor: 0,
  ceiling: 4,
  minAvailable: 0,
  maxPods: 4,
  estimate: { seconds: 15, waves: 1, podReadySeconds: 10, minReadySeconds: 5, source: 'probe', samples: 0 },
  pdbs: [],
};

const plan: Plan = {
  app: 'demo',
  fromCommit: 'a1b2c3d4e5f6',
  toCommit: 'e4f5a6b7c8d9',
  alerts: [],
  changes: [],
  placement: [],
  unschedulable: [],
  prunes: [],
  rollouts: [rollout, recreate],
  warnings: [],
};

describe('plan rollouts rendering', () => {
  it('text: per Deployment its lines and steps, then the PDB note', () => {
    const text = renderPlanText(plan);
    const section = text.slice(text.indexOf('Rollouts'));
    expect(section.trimEnd().split('\n')).toEqual([
      'Rollouts (steps as the controller runs them):',
      '  deployment/web',
      '    why: image web:1 -> web:2; configmap/web-config key LOG_LEVEL; scale 3 -> 5',
      '    replicas 3 -> 5, RollingUpdate maxSurge 2, maxUnavailable 1',
      '    floor 3 ready, ceiling 7 pods (bounds: replicas-maxUnavailable 4, replicas+maxSurge 7)',
      '    estimate ~8.4 s: 2 waves (from 3 recorded starts, median 4.2 s)',
      "    pdb/web minAvailable 2: the rollout's floor 3 respects it",
      "    pdb/web-strict maxUnavailable 0: the rollout's floor 3 goes below it (5 wanted)",
      '    STEP   CREATED   DELETED   READY/TOTAL',
      '    1      +4        -0        3/7',
      '    2      +1        -3        4/5',
      '  deployment/db',
      '    why: template change: spec.template.spec.containers[db].env',
      '    replicas 1 -> 4, Recreate (every old pod goes before new ones start)',
      '    replicas owned by hpa/db (now 4); spec.replicas ignored',
      '    floor 0 ready, ceiling 4 pods',
      '    estimate ~15 s: 1 wave (from probe timings, 10 s per pod + minReadySeconds 5)',
      '    STEP   CREATED   DELETED   READY/TOTAL',
      '    1      +0        -1        0/0',
      '    2      +4        -0        0/4',
      '  note: Kubernetes rollouts do not honour PodDisruptionBudgets, only evictions do: PDBs are shown for review only',
    ]);
  });

  it('markdown: a table per Deployment, its lines above it', () => {
    const md = renderPlanMarkdown(plan);
    expect(md).toContain(
      [
        '#### Rollout of `deployment/web`',
        '',
        '- why: image web:1 -&gt; web:2; configmap/web-config key LOG_LEVEL; scale 3 -&gt; 5',
        '- replicas 3 -&gt; 5, RollingUpdate maxSurge 2, maxUnavailable 1',
        '- floor 3 ready, ceiling 7 pods (bounds: replicas-maxUnavailable 4, replicas+maxSurge 7)',
        '- estimate ~8.4 s: 2 waves (from 3 recorded starts, median 4.2 s)',
        "- pdb/web minAvailable 2: the rollout's floor 3 respects it",
        "- pdb/web-strict maxUnavailable 0: the rollout's floor 3 goes below it (5 wanted)",
        '',
        '| Step | Created | Deleted | Ready / total |',
        '|---:|---:|---:|---:|',
        '| 1 | +4 | -0 | 3 / 7 |',
        '| 2 | +1 | -3 | 4 / 5 |',
      ].join('\n'),
    );
    expect(md).toContain('- replicas owned by hpa/db (now 4); spec.replicas ignored');
    expect(md).toContain('_Kubernetes rollouts do not honour PodDisruptionBudgets, only evictions do');
  });

  it('markdown: a long rollout is cut to fit, saying how many steps it left out', () => {
    const long = { ...rollout, steps: Array.from({ length: 4000 }, () => rollout.steps[1]!) };
    const md = renderPlanMarkdown({ ...plan, rollouts: [long] }, { maxChars: 5000 });
    expect(md.length).toBeLessThanOrEqual(5000);
    expect(md).toMatch(/\| … \| \| \| \d+ more steps \|/);
  });

  it('markdown: past 20 Deployments the rest are counted, not tabled', () => {
    const many = Array.from({ length: 25 }, (_, i) => ({ ...rollout, name: `web-${i}`, pdbs: [] }));
    const md = renderPlanMarkdown({ ...plan, rollouts: many });
    expect(md.match(/#### Rollout of/g)).toHaveLength(20);
    expect(md).toContain('_… and 5 more rollouts: run `skiff plan` to see them._');
  });

  it('JSON: the plan carries rollouts as they are', () => {
    expect(JSON.parse(renderPlanJson(plan)).rollouts).toEqual([rollout, recreate]);
  });
});
