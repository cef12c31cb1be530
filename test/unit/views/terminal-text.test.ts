// Hostile text in every output: a name, path, message or value holding a newline, CR, an ANSI
// sequence, a C1 CSI, BEL or a bidi override must reach no output raw, and must add no line.
// Each renderer runs twice over the same views, every string suffixed once with a harmless
// marker and once with the hostile one: the line counts must match, and no control may remain.
import { describe, expect, it } from 'vitest';
import { renderGithub, renderText } from '../../../src/cli/commands/validate.js';
import { renderConfigMaps, renderSecrets } from '../../../src/cli/views/configs.js';
import { renderDeployments } from '../../../src/cli/views/deployments.js';
import { describeDeployment } from '../../../src/cli/views/describe-deployment.js';
import { describePod } from '../../../src/cli/views/describe-pod.js';
import { describeService } from '../../../src/cli/views/describe-service.js';
import { renderDiagnosticLine } from '../../../src/cli/views/diagnostics.js';
import { renderBug, renderError } from '../../../src/cli/views/errors.js';
import { renderEvents } from '../../../src/cli/views/events.js';
import { describeHpa, renderHpaTable } from '../../../src/cli/views/hpa.js';
import {
  renderObjectDiffText,
  renderPlanJson,
  renderPlanMarkdown,
  renderPlanText,
} from '../../../src/cli/views/plan.js';
import { renderPods } from '../../../src/cli/views/pods.js';
import { renderEndpoints, renderServices } from '../../../src/cli/views/services.js';
import { renderStatus } from '../../../src/cli/views/status.js';
import { DescribeWriter, renderTable } from '../../../src/cli/views/table.js';
import { renderTopHosts, renderTopPods, topHostRows, topPodRows } from '../../../src/cli/views/top.js';
import { terminalBlock, terminalJson, terminalText, visibleJson } from '../../../src/diff/terminal-text.js';
import type { Diagnostic } from '../../../src/model/diagnostics.js';
import { SkiffError, UsageError } from '../../../src/model/errors.js';
import type { Plan } from '../../../src/model/plan.js';
import type {
  AppStatus,
  ConfigView,
  EndpointsView,
  HpaView,
  LeaseView,
  ServiceView,
} from '../../../src/model/views.js';
import { deploymentView, events, NOW, pods } from './fixtures.js';

const HOSTILE = ['\n', '\r', '\x1b[31m', '\x9b', '\x07', '\u202e', '\t', '\x00', '\x7f', '\u2028', '\r\n'];
const EVIL = `-${HOSTILE.join('-')}-`;
const SAFE = `-${'s'.repeat(EVIL.length - 2)}-`;
/** Any control a terminal obeys, and the bidi controls and line separators (terminal-text.ts). */
const RAW =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** Keys whose values select a code path (closed unions): poisoning them would only test the
 *  default branch. Everything else, keys of maps included, gets the suffix. */
const ENUMS = new Set(['kind', 'change', 'role', 'severity', 'state', 'phase', 'probe', 'sync', 'health']);

function poison<T>(v: T, suffix: string): T {
  if (typeof v === 'string') return `${v}${suffix}` as T;
  if (Array.isArray(v)) return v.map((x) => poison(x, suffix)) as T;
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) =>
        ENUMS.has(k) ? [k, x] : [/^[a-z][A-Za-z]*$/.test(k) ? k : `${k}${suffix}`, poison(x, suffix)],
      ),
    ) as T;
  }
  return v;
}

const svc: ServiceView = {
  namespace: 'default',
  name: 'web',
  app: 'shop',
  type: 'NodePort',
  clusterIP: '10.213.200.10',
  externalIPs: ['203.0.113.9'],
  ports: ['80:30080/TCP'],
  selector: { app: 'web' },
  sessionAffinity: 'None',
};
const eps: EndpointsView = { namespace: 'default', name: 'web', app: 'shop', endpoints: ['10.213.0.11:80'] };
const configs: ConfigView[] = [
  { kind: 'ConfigMap', namespace: 'default', name: 'cfg', app: 'demo', keys: ['A'], createdAt: NOW },
  { kind: 'Secret', namespace: 'default', name: 'sec', app: 'demo', type: 'Opaque', keys: ['B'] },
];
const hpa: HpaView = {
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
  conditions: [{ type: 'AbleToScale', status: 'True', reason: 'Stabilized', message: 'held' }],
  createdAt: NOW - 60_000,
  decisions: [
    { at: NOW, lastAt: NOW, count: 1, currentReplicas: 3, desiredReplicas: 7, reason: 'Up', message: 'm' },
  ],
};
const diagnostic: Diagnostic = {
  file: 'deploy.yaml',
  line: 12,
  column: 7,
  document: 0,
  path: 'spec.template.spec.containers[0].image',
  severity: 'error',
  code: 'schema.required',
  message: 'image is required',
};
const app: AppStatus = {
  name: 'a-app',
  repoURL: 'https://github.com/acme/app.git',
  revision: 'main',
  path: 'k8s',
  liveCommit: 'a1b2c3d4e5',
  headCommit: 'e4f5a6b7c8',
  sync: 'OutOfSync',
  health: 'Degraded',
  conditions: [
    { type: 'Ready', status: 'False', reason: 'Rejected', message: 'bad', lastTransitionTime: NOW },
  ],
  rejected: { commit: 'e4f5a6b7c8', diagnostics: [diagnostic] },
  quarantined: [{ commit: 'c0ffee1234', reason: 'rollout failed', at: NOW - 1000 }],
  lastSyncAt: NOW - 5000,
};
const lease = (role: 'acting' | 'standby'): LeaseView => ({
  role,
  holder: 'daemon-a',
  reason: 'HeldByOther',
  heldBy:
    role === 'standby' ? { holder: 'b', description: 'host b', until: NOW + 9000, hosts: ['h1'] } : undefined,
  hosts: ['h1', 'h2'],
  message: 'lease held by b',
  checkedAt: NOW,
});
const plan: Plan = {
  app: 'demo',
  fromCommit: 'a1b2c3d4e5f6',
  toCommit: 'e4f5a6b7c8d9',
  alerts: [],
  changes: [
    {
      kind: 'Deployment',
      namespace: 'default',
      name: 'web',
      app: 'demo',
      change: 'replace-pods',
      replacePods: 3,
      fields: [{ path: 'spec.template.spec.containers[0].image', before: 'a:1', after: 'a:2' }],
      forcedBy: ['spec.template.spec.containers[0].image', 'configmap/cfg'],
    },
    {
      kind: 'ConfigMap',
      namespace: 'default',
      name: 'cfg',
      app: 'demo',
      change: 'update-in-place',
      fields: [{ path: 'data.A', before: 'x', after: 'y' }],
      forcedBy: [],
      rolls: ['deployment/web'],
    },
    {
      kind: 'Secret',
      namespace: 'default',
      name: 'sec',
      app: 'demo',
      change: 'update-in-place',
      fields: [{ path: 'data.B', before: 'hash:1', after: 'hash:2', redacted: true }],
      forcedBy: [],
    },
  ],
  placement: [{ host: 'h1', before: 1, after: 2 }],
  unschedulable: [{ pod: 'web-1', owner: 'deployment/web', reason: '0/3 hosts are available' }],
  prunes: [{ kind: 'Service', namespace: 'default', name: 'old', pods: 0 }],
  rollouts: [],
  warnings: ['a warning'],
};

const err = (e: SkiffError) => e;
const RENDERERS: [string, (sfx: string) => string][] = [
  ['get pods -o wide', (x) => renderPods(poison(pods, x), { now: NOW, wide: true, allNamespaces: true })],
  [
    'get deployments',
    (x) => renderDeployments(poison([deploymentView], x), { now: NOW, wide: true, pods: poison(pods, x) }),
  ],
  ['get events', (x) => renderEvents(poison(events, x), { now: NOW, wide: true, allNamespaces: true })],
  ['get configmaps', (x) => renderConfigMaps(poison(configs, x), { now: NOW })],
  ['get secrets', (x) => renderSecrets(poison(configs, x), { now: NOW })],
  ['get services', (x) => renderServices(poison([svc], x), { wide: true, allNamespaces: true })],
  ['get endpoints', (x) => renderEndpoints(poison([eps], x), { allNamespaces: true })],
  ['get hpa', (x) => renderHpaTable(poison([hpa], x), { now: NOW, allNamespaces: true })],
  ['describe pod', (x) => describePod(poison(pods[1]!, x), poison(events, x), { now: NOW })],
  [
    'describe deployment',
    (x) => describeDeployment(poison(deploymentView, x), poison(pods, x), poison(events, x), { now: NOW }),
  ],
  [
    'describe service',
    (x) => describeService(poison(svc, x), poison(eps, x), poison(events, x), { now: NOW }),
  ],
  ['describe hpa', (x) => describeHpa(poison(hpa, x), poison(events, x), { now: NOW })],
  [
    'status (standby)',
    (x) => renderStatus(poison([app], x), { now: NOW, lease: poison(lease('standby'), x) }),
  ],
  ['status (acting)', (x) => renderStatus(poison([app], x), { now: NOW, lease: poison(lease('acting'), x) })],
  [
    'top pods',
    (x) =>
      renderTopPods(
        topPodRows(poison([{ host: 'h1', namespace: 'ns', pod: 'p', cpuMilli: 1, memoryBytes: 1 }], x)),
        { allNamespaces: true },
      ),
  ],
  [
    'top hosts',
    (x) =>
      renderTopHosts(
        topHostRows(poison([{ name: 'h1', ready: true, capacity: { cpuMilli: 1, memoryBytes: 1 } }], x), []),
      ),
  ],
  ['plan text', (x) => renderPlanText(poison(plan, x))],
  [
    'plan text (color)',
    (x) => renderPlanText(poison(plan, x), { color: true }).replace(/\x1b\[(?:1|0|3[123])m/g, ''),
  ],
  ['diff text', (x) => renderObjectDiffText(poison(plan, x).changes)],
  ['plan markdown', (x) => renderPlanMarkdown(poison(plan, x))],
  ['validate text', (x) => `${renderText(poison(diagnostic, x))}\n`],
  ['validate -o github', (x) => `${renderGithub(poison(diagnostic, x))}\n`],
  ['diagnostic line', (x) => `${renderDiagnosticLine(poison(diagnostic, x))}\n`],
  [
    'error printer',
    (x) => renderError(err(new SkiffError('git.fetch', `server said: ${x}`, { hint: `try ${x}` }))),
  ],
  ['usage error printer', (x) => renderError(err(new UsageError(`bad --path ${x}`, x)))],
  ['get table', (x) => renderTable([`h${x}`], [[`c${x}`], ['d']])],
  ['describe writer', (x) => new DescribeWriter().line(0, `Name${x}:`, `v${x}`).line(1, 'a', 'b').toString()],
];

describe('every text renderer over hostile strings', () => {
  it.each(RENDERERS)('%s: no raw control, no extra line', (_, render) => {
    const safe = render(SAFE);
    const evil = render(EVIL);
    expect(safe).not.toMatch(RAW);
    expect(evil).not.toMatch(RAW);
    expect(evil).not.toContain('\t');
    expect(evil.split('\n').length).toBe(safe.split('\n').length);
    // The hostile characters are there to see, escaped.
    expect(evil).toMatch(/\\x1b|%1B|\\u009b/i);
  });

  it('the error printer keeps the findings of a config error, one per line, escaped', () => {
    const e = Object.assign(new SkiffError('config.invalid', 'invalid cluster config skiff.yaml:\n  x'), {
      diagnostics: [poison(diagnostic, EVIL), diagnostic],
    });
    const out = renderError(e);
    expect(out.split('\n')).toHaveLength(4);
    expect(out).not.toMatch(RAW);
  });

  it('a bug keeps its stack lines but no control', () => {
    const out = renderBug(new Error(`boom${EVIL}`));
    expect(out).not.toMatch(RAW);
    expect(out).toMatch(/^skiff: this is a bug/);
  });

  it('-o github: properties stay one line, data keeps its line breaks as %0A', () => {
    const line = renderGithub({ ...diagnostic, file: 'a\nb,c:d\x1b', message: 'one\ntwo%\x1b[31m' });
    expect(line).toBe(
      '::error file=a\\nb%2Cc%3Ad\\x1b,line=12,col=7,title=schema.required::spec.template.spec.containers[0].image: one%0Atwo%25\\x1b[31m',
    );
  });
});

describe('JSON output', () => {
  it.each([['plan -o json', (x: string) => renderPlanJson(poison(plan, x))]])(
    '%s: parses back to the same value with no raw control',
    (_, render) => {
      const out = render(EVIL);
      expect(out).not.toMatch(RAW);
      expect(JSON.parse(out)).toEqual({ schemaVersion: 1, ...poison(plan, EVIL) });
    },
  );

  it('terminalJson writes DEL, C1 and bidi controls as \\u escapes, nothing else changes', () => {
    const v = { s: EVIL, plain: 'ok é 日本' };
    const json = terminalJson(JSON.stringify(v, null, 2));
    expect(json).not.toMatch(RAW);
    expect(JSON.parse(json)).toEqual(v);
    expect(terminalJson('{"a":"ok é 日本"}')).toBe('{"a":"ok é 日本"}');
  });
});

describe('terminalText', () => {
  it.each([
    ['plain', 'web-7d9c5b6f4', 'web-7d9c5b6f4'],
    ['unicode kept', 'café 日本 🚀', 'café 日本 🚀'],
    ['backslash kept', 'a\\nb', 'a\\nb'],
    ['newline', 'a\nb', 'a\\nb'],
    ['CR', 'a\rb', 'a\\rb'],
    ['tab', 'a\tb', 'a\\tb'],
    ['ESC sequence', '\x1b[31mred', '\\x1b[31mred'],
    ['OSC title', '\x1b]0;pwned\x07', '\\x1b]0;pwned\\a'],
    ['C1 CSI', '\x9b31m', '\\u009b31m'],
    ['NEL', '\u0085', '\\u0085'],
    ['NUL and DEL', '\x00\x7f', '\\x00\\x7f'],
    ['bidi override', 'abc\u202edef', 'abc\\u202edef'],
    ['bidi isolates', '\u2066\u2069', '\\u2066\\u2069'],
    ['line separator', 'a\u2028b', 'a\\u2028b'],
  ])('%s', (_, input, expected) => {
    expect(terminalText(input)).toBe(expected);
  });

  it('terminalBlock keeps newlines and tabs, shows the rest', () => {
    expect(terminalBlock('a\tb\nc\r\x1b[2J')).toBe('a\tb\nc\\r\\x1b[2J');
  });

  it('terminalBlock with sgr keeps colour sequences only', () => {
    expect(terminalBlock('\x1b[32m+\x1b[0m \x1b[2J\x1b]8;;http://x\x07', { sgr: true })).toBe(
      '\x1b[32m+\x1b[0m \\x1b[2J\\x1b]8;;http://x\\a',
    );
  });
});

describe('visibleJson (the daemon pretty log: JSON a prettifier decodes before printing)', () => {
  it.each([
    ['ESC', 'a\x1b[31mb', 'a\\x1b[31mb'],
    ['newline and CR', 'line\nforged\r', 'line\\nforged\\r'],
    ['C1 CSI', 'x\u009b2J', 'x\\u009b2J'],
    ['bidi override', 'a\u202eb', 'a\\u202eb'],
    ['a backslash then n stays', 'C:\\new', 'C:\\new'],
    ['quotes and unicode stay', 'say "hé" 🙂', 'say "hé" 🙂'],
  ])('%s', (_, value, shown) => {
    const line = visibleJson(terminalJson(JSON.stringify({ msg: value })));
    expect(JSON.parse(line)).toEqual({ msg: shown });
  });
});
