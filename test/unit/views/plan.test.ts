import { describe, expect, it } from 'vitest';
import {
  renderObjectDiffText,
  renderPlanJson,
  renderPlanMarkdown,
  renderPlanText,
} from '../../../src/cli/views/plan.js';
import { diffObjectSets } from '../../../src/diff/object-diff.js';
import { assemblePlan, formatPlanSummary, summarizePlan } from '../../../src/diff/plan.js';
import type { Plan } from '../../../src/model/plan.js';
import { b64, configMap, container, deployment, edit, hpa, secret, service } from '../diff/fixtures.js';

const PLAINTEXT = 'password123';
const NEW_PLAINTEXT = 's3cr3t-rotated';

/** The seed's app: a ConfigMap and a Secret read by web via envFrom, plus a Service. */
function scenario(): Plan {
  const cm = configMap('app-config', { DATABASE_HOST: 'db.example.com', LOG_LEVEL: 'info' });
  const sec = secret('app-secrets', { DATABASE_PASSWORD: b64(PLAINTEXT) });
  const web = deployment('web-deployment', {
    containers: [
      container({
        name: 'web',
        envFrom: [{ configMapRef: { name: 'app-config' } }, { secretRef: { name: 'app-secrets' } }],
      }),
    ],
  });
  const api = deployment('api');
  const before = [cm, sec, web, api, service('old-service'), hpa('api-hpa', 'api')];
  const after = [
    edit(cm, (c) => {
      c.data.LOG_LEVEL = 'debug';
    }),
    secret('app-secrets', { DATABASE_PASSWORD: b64(NEW_PLAINTEXT), API_TOKEN: b64('tok-abcdef') }),
    edit(web, (d) => {
      d.spec.template.spec.containers[0]!.image = 'my-app:2.0.0';
    }),
    edit(api, (d) => {
      d.spec.replicas = 9;
    }),
    service('web-service'),
    configMap('new-config', { A: '1' }),
    hpa('api-hpa', 'api'),
  ];
  const { changes, warnings } = diffObjectSets(before, after, { app: 'demo' });
  return assemblePlan({
    app: 'demo',
    fromCommit: 'a1b2c3d4e5f6a7b8c9d0',
    toCommit: 'e4f5a6b7c8d9e0f1a2b3',
    changes,
    currentPods: { 'Deployment/default/web-deployment': 3, 'Deployment/default/api': 2 },
    placementBefore: { h1: 2, h2: 2, h3: 1 },
    placementAfter: { h1: 2, h2: 2, h3: 2, h4: 1 },
    unschedulable: [
      {
        pod: 'web-deployment-7d9c5b6f4-x2x9k',
        owner: 'deployment/web-deployment',
        reason: '0/3 hosts are available: 2 Insufficient cpu, 1 node(s) had untolerated taint',
      },
    ],
    prunes: [{ kind: 'Service', namespace: 'default', name: 'old-service', pods: 0 }],
    warnings,
  });
}

const plan = scenario();

describe('assemblePlan', () => {
  it('counts replaced pods from the live pods of each workload', () => {
    const web = plan.changes.find((c) => c.name === 'web-deployment')!;
    expect(web).toMatchObject({ change: 'replace-pods', replacePods: 3 });
    expect(web.forcedBy).toEqual([
      'spec.template.spec.containers[web].image',
      'configmap/app-config data.LOG_LEVEL',
      'secret/app-secrets data.API_TOKEN',
      'secret/app-secrets data.DATABASE_PASSWORD',
    ]);
  });

  it('places hosts in name order, 0 where a side has none', () => {
    expect(plan.placement).toEqual([
      { host: 'h1', before: 2, after: 2 },
      { host: 'h2', before: 2, after: 2 },
      { host: 'h3', before: 1, after: 2 },
      { host: 'h4', before: 0, after: 1 },
    ]);
  });

  it('keeps the HPA warning', () => {
    expect(plan.warnings).toEqual([
      'deployment/api: spec.replicas 3 -> 9 in Git is ignored: replicas owned by hpa/api-hpa',
    ]);
  });

  it.each([
    [
      { create: 3, updateInPlace: 1, replace: 1, replacePods: 3, delete: 1, unchanged: 0 },
      '3 to create, 1 to update in place, 1 to replace (3 pods), 1 to delete',
    ],
    [
      { create: 0, updateInPlace: 0, replace: 2, replacePods: 1, delete: 0, unchanged: 4 },
      '2 to replace (1 pod)',
    ],
    [{ create: 0, updateInPlace: 0, replace: 0, replacePods: 0, delete: 0, unchanged: 4 }, 'No changes'],
  ])('summary %#', (summary, text) => {
    expect(formatPlanSummary(summary)).toBe(text);
  });

  it('summarizes the scenario', () => {
    expect(summarizePlan(plan.changes)).toEqual({
      create: 2,
      updateInPlace: 2,
      replace: 1,
      replacePods: 3,
      delete: 1,
      unchanged: 2,
    });
  });
});

describe('renderings never contain a secret value', () => {
  const secretForms = [
    PLAINTEXT,
    NEW_PLAINTEXT,
    'tok-abcdef',
    b64(PLAINTEXT),
    b64(NEW_PLAINTEXT),
    b64('tok-abcdef'),
  ];
  it.each([
    ['text', () => renderPlanText(plan)],
    ['text (color)', () => renderPlanText(plan, { color: true })],
    ['markdown', () => renderPlanMarkdown(plan)],
    ['json', () => renderPlanJson(plan)],
    ['object diff', () => renderObjectDiffText(plan.changes, { includeUnchanged: true })],
  ])('%s', (_name, render) => {
    const out = render();
    for (const s of secretForms) expect(out).not.toContain(s);
    expect(out).toMatch(/hash:[0-9a-f]{16}/);
  });
});

describe('renderPlanText', () => {
  const text = renderPlanText(plan);
  it.each([
    'Plan for app demo: a1b2c3d -> e4f5a6b',
    '2 to create, 2 to update in place, 1 to replace (3 pods), 1 to delete. 2 unchanged.',
    '  ~ deployment/web-deployment   replace 3 pods    forced by spec.template.spec.containers[web].image, configmap/app-config data.LOG_LEVEL, secret/app-secrets data.API_TOKEN, secret/app-secrets data.DATABASE_PASSWORD',
    '  ~ configmap/app-config        update in place   fields data.LOG_LEVEL; rolls deployment/web-deployment',
    '  + configmap/new-config        create',
    '  - service/old-service         delete',
    '  HOST   BEFORE   AFTER',
    '  h3     1        2 (+1)',
    '  web-deployment-7d9c5b6f4-x2x9k (deployment/web-deployment): 0/3 hosts are available: 2 Insufficient cpu, 1 node(s) had untolerated taint',
    '  - service/old-service (0 pods)',
    '  ! deployment/api: spec.replicas 3 -> 9 in Git is ignored: replicas owned by hpa/api-hpa',
  ])('has line %s', (line) => {
    expect(text.split('\n')).toContain(line);
  });

  it('shows secret key changes as hashes', () => {
    expect(text).toMatch(
      / {2}secret\/app-secrets ~ data\.DATABASE_PASSWORD: hash:[0-9a-f]{16} -> hash:[0-9a-f]{16}\n/,
    );
    expect(text).toMatch(/ {2}secret\/app-secrets \+ data\.API_TOKEN: hash:[0-9a-f]{16}\n/);
  });

  it('colors only when asked', () => {
    expect(text).not.toContain('\x1b[');
    expect(renderPlanText(plan, { color: true })).toContain('\x1b[32m+\x1b[0m configmap/new-config');
  });

  it('leaves out unchanged objects', () => {
    expect(text).not.toContain('hpa/api-hpa   ');
    expect(text).not.toMatch(/deployment\/api\s+unchanged/);
  });
});

describe('renderPlanMarkdown', () => {
  const md = renderPlanMarkdown(plan);
  const lines = md.split('\n');
  it.each([
    '### skiff plan for `demo`: `a1b2c3d` → `e4f5a6b`',
    '**2 to create, 2 to update in place, 1 to replace (3 pods), 1 to delete. 2 unchanged.**',
    '| | Object | Change | Why |',
    '| `~` | `deployment/web-deployment` | replace 3 pods | forced by `spec.template.spec.containers[web].image`, `configmap/app-config data.LOG_LEVEL`, `secret/app-secrets data.API_TOKEN`, `secret/app-secrets data.DATABASE_PASSWORD` |',
    '| `~` | `configmap/app-config` | update in place | `data.LOG_LEVEL`<br>rolls `deployment/web-deployment` |',
    '| `-` | `service/old-service` | delete |  |',
    '| `h3` | 1 | 2 (+1) |',
    '| `h4` | 0 | 1 (+1) |',
    '| `web-deployment-7d9c5b6f4-x2x9k` | `deployment/web-deployment` | 0/3 hosts are available: 2 Insufficient cpu, 1 node(s) had untolerated taint |',
    '| `service/old-service` | 0 |',
    '- deployment/api: spec.replicas 3 -&gt; 9 in Git is ignored: replicas owned by hpa/api-hpa',
    '<details><summary>Field changes</summary>',
  ])('has line %s', (line) => {
    expect(lines).toContain(line);
  });

  it('lists secret keys with hashes, added keys marked', () => {
    expect(md).toMatch(
      /\| `secret\/app-secrets` \| `data\.API_TOKEN` \| \(added\) \| `hash:[0-9a-f]{16}` \|/,
    );
    expect(md).toMatch(
      /\| `secret\/app-secrets` \| `data\.DATABASE_PASSWORD` \| `hash:[0-9a-f]{16}` \| `hash:[0-9a-f]{16}` \|/,
    );
  });

  it('escapes pipes and backticks in cells', () => {
    const odd = renderPlanMarkdown({
      ...plan,
      unschedulable: [{ pod: 'p`1', owner: 'o', reason: 'a | b <c>' }],
    });
    expect(odd).toContain('| ``p`1`` | `o` | a \\| b &lt;c&gt; |');
  });

  it('fences the field diff', () => {
    expect(md).toContain(
      '```diff\n~ configmap/app-config (update in place)\n    ~ data.LOG_LEVEL: info -> debug',
    );
  });
});

describe('renderPlanJson', () => {
  it('round-trips the plan, with its schema version', () => {
    expect(JSON.parse(renderPlanJson(plan))).toEqual({
      schemaVersion: 1,
      ...JSON.parse(JSON.stringify(plan)),
    });
  });
});

describe('renderObjectDiffText', () => {
  const before = [deployment('web')];
  const after = [
    edit(deployment('web'), (d) => {
      d.spec.replicas = 5;
      d.spec.template.spec.containers[0]!.image = 'my-app:2.0.0';
      d.spec.template.spec.containers[0]!.env.push({ name: 'MODE', value: 'true' });
    }),
  ];
  const { changes } = diffObjectSets(before, after);

  it('prints object by object, field by field', () => {
    expect(renderObjectDiffText(changes)).toBe(
      [
        '~ deployment/web (replace pods)',
        '    ~ spec.replicas: 3 -> 5',
        '    ~ spec.template.spec.containers[web].image: my-app:1.0.0 -> my-app:2.0.0',
        '    + spec.template.spec.containers[web].env[MODE].name: MODE',
        '    + spec.template.spec.containers[web].env[MODE].value: "true"',
        '',
      ].join('\n'),
    );
  });

  it('says so when nothing differs', () => {
    expect(renderObjectDiffText(diffObjectSets(before, before).changes)).toBe('No differences.\n');
  });

  it('names the config that forces a roll', () => {
    const cm = configMap('c', { K: 'v1' });
    const w = deployment('w', { containers: [container({ envFrom: [{ configMapRef: { name: 'c' } }] })] });
    const out = renderObjectDiffText(diffObjectSets([cm, w], [configMap('c', { K: 'v2' }), w]).changes);
    expect(out).toContain('~ deployment/w (replace pods)\n    forced by configmap/c data.K\n');
    expect(out).toContain(
      '~ configmap/c (update in place)\n    ~ data.K: v1 -> v2\n    rolls deployment/w\n',
    );
  });

  it('colors field lines by marker when asked', () => {
    const out = renderObjectDiffText(changes, { color: true });
    expect(out).toContain('\x1b[32m+ spec.template.spec.containers[web].env[MODE].name: MODE\x1b[0m');
    expect(out).toContain('\x1b[33m~ spec.replicas: 3 -> 5\x1b[0m');
  });

  it('cuts long values', () => {
    const long = 'x'.repeat(500);
    const out = renderObjectDiffText(diffObjectSets([], [configMap('big', { FILE: long })]).changes);
    expect(out).toContain(`+ data.FILE: ${'x'.repeat(120)}… (500 chars)`);
  });
});

describe('renderPlanMarkdown size limit', () => {
  const many = Array.from({ length: 3000 }, (_, i) => deployment(`web-${i}`));
  const changed = many.map((d) =>
    edit(d, (x) => {
      x.spec.template.spec.containers[0]!.image = 'my-app:2.0.0';
    }),
  );
  const { changes } = diffObjectSets(many, changed);
  const big = assemblePlan({
    app: 'demo',
    toCommit: 'e4f5a6b7',
    changes,
    currentPods: {},
    placementBefore: {},
    placementAfter: {},
    unschedulable: [],
    prunes: [],
    warnings: [],
  });

  it.each([60_000, 10_000, 2_000])('fits %d characters and says what it left out', (maxChars) => {
    const md = renderPlanMarkdown(big, { maxChars });
    expect(md.length).toBeLessThanOrEqual(maxChars);
    expect(md).toContain('**3000 to replace (0 pods).**');
    expect(md).toMatch(/\| \| … \| \| \d+ more objects: run `skiff plan` to see them \|/);
    expect(md).toContain('_Field changes left out to fit a comment: run `skiff diff` to see them._');
  });

  it('keeps everything when it fits', () => {
    const md = renderPlanMarkdown(plan);
    expect(md).not.toContain('more objects');
    expect(md).toContain('<details><summary>Field changes</summary>');
  });
});
