import { describe, expect, it } from 'vitest';
import { deepEqual, diffFields } from '../../../src/diff/field-diff.js';
import { diffObjectSets, diffObjects } from '../../../src/diff/object-diff.js';
import type { KubeObject } from '../../../src/model/k8s.js';
import type { ObjectChange } from '../../../src/model/plan.js';
import { b64, configMap, container, deployment, edit, hpa, pod, secret, service } from './fixtures.js';

function only(changes: ObjectChange[], kind: string, name: string): ObjectChange {
  const c = changes.find((x) => x.kind === kind && x.name === name);
  if (!c) throw new Error(`no change for ${kind}/${name}`);
  return c;
}

const web = deployment('web');

describe('diffObjects: change class per object', () => {
  it.each<{
    name: string;
    before: KubeObject[];
    after: KubeObject[];
    kind: string;
    obj: string;
    change: string;
    forcedBy: string[];
  }>([
    {
      name: 'image change replaces pods, forced by the image path',
      before: [web],
      after: [
        edit(web, (d) => {
          d.spec.template.spec.containers[0]!.image = 'my-app:2.0.0';
        }),
      ],
      kind: 'Deployment',
      obj: 'web',
      change: 'replace-pods',
      forcedBy: ['spec.template.spec.containers[web].image'],
    },
    {
      name: 'replicas change updates in place',
      before: [web],
      after: [
        edit(web, (d) => {
          d.spec.replicas = 5;
        }),
      ],
      kind: 'Deployment',
      obj: 'web',
      change: 'update-in-place',
      forcedBy: [],
    },
    {
      name: 'strategy change updates in place',
      before: [web],
      after: [
        edit(web, (d) => {
          d.spec.strategy = { type: 'Recreate' };
        }),
      ],
      kind: 'Deployment',
      obj: 'web',
      change: 'update-in-place',
      forcedBy: [],
    },
    {
      name: 'env added to a container is a template change',
      before: [web],
      after: [
        edit(web, (d) => {
          d.spec.template.spec.containers[0]!.env.push({ name: 'MODE', value: 'fast' });
        }),
      ],
      kind: 'Deployment',
      obj: 'web',
      change: 'replace-pods',
      forcedBy: [
        'spec.template.spec.containers[web].env[MODE].name',
        'spec.template.spec.containers[web].env[MODE].value',
      ],
    },
    {
      name: 'template label change replaces pods',
      before: [web],
      after: [
        edit(web, (d) => {
          d.spec.template.metadata.labels.tier = 'front';
        }),
      ],
      kind: 'Deployment',
      obj: 'web',
      change: 'replace-pods',
      forcedBy: ['spec.template.metadata.labels.tier'],
    },
    {
      name: 'standalone Pod spec change replaces the pod',
      before: [pod('my-app')],
      after: [
        edit(pod('my-app'), (p) => {
          p.spec.containers[0]!.image = 'nginx:1.26';
        }),
      ],
      kind: 'Pod',
      obj: 'my-app',
      change: 'replace-pods',
      forcedBy: ['spec.containers[app].image'],
    },
    {
      name: 'Service port change updates in place',
      before: [service('web-service')],
      after: [service('web-service', 81)],
      kind: 'Service',
      obj: 'web-service',
      change: 'update-in-place',
      forcedBy: [],
    },
    {
      name: 'HPA max change updates in place',
      before: [hpa('web-hpa', 'web')],
      after: [hpa('web-hpa', 'web', 20)],
      kind: 'HorizontalPodAutoscaler',
      obj: 'web-hpa',
      change: 'update-in-place',
      forcedBy: [],
    },
    {
      name: 'new object is created',
      before: [],
      after: [web],
      kind: 'Deployment',
      obj: 'web',
      change: 'create',
      forcedBy: [],
    },
    {
      name: 'removed object is deleted',
      before: [web],
      after: [],
      kind: 'Deployment',
      obj: 'web',
      change: 'delete',
      forcedBy: [],
    },
    {
      name: 'only the source location moved: unchanged',
      before: [web],
      after: [
        edit(web, (d) => {
          d.source = { file: 'moved.yaml', document: 2, line: 40, column: 1 };
        }),
      ],
      kind: 'Deployment',
      obj: 'web',
      change: 'unchanged',
      forcedBy: [],
    },
  ])('$name', ({ before, after, kind, obj, change, forcedBy }) => {
    const c = only(diffObjects(before, after, { app: 'demo' }), kind, obj);
    expect(c.change).toBe(change);
    expect(c.forcedBy).toEqual(forcedBy);
    expect(c.app).toBe('demo');
  });

  it('reports the field before and after', () => {
    const after = edit(web, (d) => {
      d.spec.replicas = 5;
    });
    expect(only(diffObjects([web], [after]), 'Deployment', 'web').fields).toEqual([
      { path: 'spec.replicas', before: 3, after: 5 },
    ]);
  });

  it('created objects list their fields as additions, without identity or source', () => {
    const c = only(
      diffObjects([], [configMap('app-config', { LOG_LEVEL: 'info' })]),
      'ConfigMap',
      'app-config',
    );
    expect(c.fields).toContainEqual({ path: 'data.LOG_LEVEL', after: 'info' });
    expect(c.fields.map((f) => f.path)).not.toContain('source.file');
    expect(c.fields.map((f) => f.path)).not.toContain('metadata.name');
  });

  it('sorts config before workloads before services', () => {
    const changes = diffObjects([], [service('s'), web, configMap('c', {}), secret('x', {})]);
    expect(changes.map((c) => c.kind)).toEqual(['ConfigMap', 'Secret', 'Deployment', 'Service']);
  });
});

describe('ConfigMap and Secret changes roll the workloads that read them', () => {
  const cm = configMap('app-config', { DATABASE_HOST: 'db.example.com', LOG_LEVEL: 'info' });
  const cmChanged = configMap('app-config', { DATABASE_HOST: 'db.example.com', LOG_LEVEL: 'debug' });
  const viaEnvFrom = deployment('web', {
    containers: [container({ envFrom: [{ configMapRef: { name: 'app-config' } }] })],
  });
  const viaVolume = deployment('worker', {
    containers: [container({ name: 'worker', volumeMounts: [{ name: 'cfg', mountPath: '/etc/app' }] })],
    volumes: [{ name: 'cfg', configMap: { name: 'app-config', defaultMode: 0o644 } }],
  });
  const viaOtherKey = deployment('api', {
    containers: [
      container({
        name: 'api',
        env: [{ name: 'DB', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'DATABASE_HOST' } } }],
      }),
    ],
  });
  const viaKey = deployment('cron', {
    containers: [
      container({
        name: 'cron',
        env: [{ name: 'LVL', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'LOG_LEVEL' } } }],
      }),
    ],
  });
  const unrelated = deployment('other');

  it.each([
    { via: 'envFrom', workload: viaEnvFrom },
    { via: 'a volume', workload: viaVolume },
    { via: 'env valueFrom of the changed key', workload: viaKey },
  ])('rolls a Deployment reading it via $via', ({ workload }) => {
    const changes = diffObjects([cm, workload], [cmChanged, workload]);
    const w = only(changes, 'Deployment', workload.metadata.name);
    expect(w.change).toBe('replace-pods');
    expect(w.forcedBy).toEqual(['configmap/app-config data.LOG_LEVEL']);
    expect(w.fields).toEqual([]);
    const c = only(changes, 'ConfigMap', 'app-config');
    expect(c.change).toBe('update-in-place');
    expect(c.rolls).toEqual([`deployment/${workload.metadata.name}`]);
  });

  it('does not roll workloads reading other keys or nothing at all', () => {
    const changes = diffObjects([cm, viaOtherKey, unrelated], [cmChanged, viaOtherKey, unrelated]);
    expect(only(changes, 'Deployment', 'api').change).toBe('unchanged');
    expect(only(changes, 'Deployment', 'other').change).toBe('unchanged');
    expect(only(changes, 'ConfigMap', 'app-config').rolls).toBeUndefined();
  });

  it('lists every rolled workload on the config change, sorted', () => {
    const all = [viaVolume, viaEnvFrom, viaKey, viaOtherKey];
    const c = only(diffObjects([cm, ...all], [cmChanged, ...all]), 'ConfigMap', 'app-config');
    expect(c.rolls).toEqual(['deployment/cron', 'deployment/web', 'deployment/worker']);
  });

  it('a workload changed by both its template and its config lists both causes', () => {
    const newer = edit(viaEnvFrom, (d) => {
      d.spec.template.spec.containers[0]!.image = 'my-app:2';
    });
    const w = only(diffObjects([cm, viaEnvFrom], [cmChanged, newer]), 'Deployment', 'web');
    expect(w.forcedBy).toEqual([
      'spec.template.spec.containers[web].image',
      'configmap/app-config data.LOG_LEVEL',
    ]);
  });

  it('does not roll a workload that is itself being created', () => {
    const changes = diffObjects([cm], [cmChanged, viaEnvFrom]);
    expect(only(changes, 'Deployment', 'web').change).toBe('create');
    expect(only(changes, 'ConfigMap', 'app-config').rolls).toBeUndefined();
  });

  it('a Secret change rolls via secretKeyRef and is redacted', () => {
    const s1 = secret('app-secrets', { DATABASE_PASSWORD: b64('password123') });
    const s2 = secret('app-secrets', { DATABASE_PASSWORD: b64('hunter2-new') });
    const user = deployment('web', {
      containers: [
        container({
          env: [
            { name: 'PW', valueFrom: { secretKeyRef: { name: 'app-secrets', key: 'DATABASE_PASSWORD' } } },
          ],
        }),
      ],
    });
    const changes = diffObjects([s1, user], [s2, user]);
    expect(only(changes, 'Deployment', 'web').forcedBy).toEqual([
      'secret/app-secrets data.DATABASE_PASSWORD',
    ]);
    const s = only(changes, 'Secret', 'app-secrets');
    expect(s.rolls).toEqual(['deployment/web']);
    expect(s.fields).toHaveLength(1);
    const f = s.fields[0]!;
    expect(f).toMatchObject({ path: 'data.DATABASE_PASSWORD', redacted: true });
    expect(f.before).toMatch(/^hash:[0-9a-f]{16}$/);
    expect(f.after).toMatch(/^hash:[0-9a-f]{16}$/);
    expect(f.before).not.toBe(f.after);
    const json = JSON.stringify(changes);
    for (const leak of ['password123', 'hunter2-new', b64('password123'), b64('hunter2-new')]) {
      expect(json).not.toContain(leak);
    }
  });

  it.each([
    { name: 'mask mode', secrets: { mode: 'mask' as const }, expected: '***' },
    {
      name: 'injected keyed fingerprint',
      secrets: { mode: 'hash' as const, fingerprint: () => 'hmac:fixed' },
      expected: 'hmac:fixed',
    },
  ])('Secret values follow the redaction option: $name', ({ secrets, expected }) => {
    const changes = diffObjects([], [secret('s', { K: b64('topsecret') })], { secrets });
    expect(only(changes, 'Secret', 's').fields.find((f) => f.path === 'data.K')).toEqual({
      path: 'data.K',
      after: expected,
      redacted: true,
    });
  });

  it('a created or deleted Secret never shows its values', () => {
    const s = secret('s', { TOKEN: b64('abcdef-token') });
    for (const changes of [diffObjects([], [s]), diffObjects([s], [])]) {
      expect(JSON.stringify(changes)).not.toContain(b64('abcdef-token'));
    }
  });

  it('a Secret key used by nobody changes in place and rolls nothing', () => {
    const changes = diffObjects([secret('s', { A: b64('one') })], [secret('s', { A: b64('two') })]);
    expect(only(changes, 'Secret', 's')).toMatchObject({ change: 'update-in-place', forcedBy: [] });
  });

  it('warns when an immutable ConfigMap changes its data', () => {
    const a = edit(cm, (c) => {
      c.immutable = true;
    });
    const b = edit(cmChanged, (c) => {
      c.immutable = true;
    });
    expect(diffObjectSets([a], [b]).warnings).toEqual([
      'configmap/app-config is immutable but its data changed (Kubernetes would reject this)',
    ]);
  });
});

describe('HPA-owned replicas', () => {
  it('a replicas change in Git for an HPA target is no change, only a warning', () => {
    const after = edit(web, (d) => {
      d.spec.replicas = 7;
    });
    const { changes, warnings } = diffObjectSets(
      [web, hpa('web-hpa', 'web')],
      [after, hpa('web-hpa', 'web')],
    );
    expect(only(changes, 'Deployment', 'web').change).toBe('unchanged');
    expect(warnings).toEqual([
      'deployment/web: spec.replicas 3 -> 7 in Git is ignored: replicas owned by hpa/web-hpa',
    ]);
  });

  it('other fields of an HPA target still change', () => {
    const after = edit(web, (d) => {
      d.spec.replicas = 7;
      d.spec.template.spec.containers[0]!.image = 'my-app:2';
    });
    const c = only(diffObjects([web, hpa('h', 'web')], [after, hpa('h', 'web')]), 'Deployment', 'web');
    expect(c.change).toBe('replace-pods');
    expect(c.fields.map((f) => f.path)).toEqual(['spec.template.spec.containers[web].image']);
  });

  it('once the HPA is removed, replicas from Git apply again', () => {
    const after = edit(web, (d) => {
      d.spec.replicas = 7;
    });
    const c = only(diffObjects([web, hpa('h', 'web')], [after]), 'Deployment', 'web');
    expect(c.change).toBe('update-in-place');
  });
});

describe('field paths', () => {
  it.each([
    {
      name: 'containers keyed by name, even when reordered',
      a: {
        containers: [
          { name: 'a', image: '1' },
          { name: 'b', image: '1' },
        ],
      },
      b: {
        containers: [
          { name: 'b', image: '2' },
          { name: 'a', image: '1' },
        ],
      },
      paths: ['containers[b].image'],
    },
    {
      name: 'ports keyed by port/protocol',
      a: { ports: [{ containerPort: 80, protocol: 'TCP', name: 'http' }] },
      b: { ports: [{ containerPort: 80, protocol: 'TCP', name: 'web' }] },
      paths: ['ports[80/TCP].name'],
    },
    {
      name: 'volumeMounts keyed by mount path',
      a: { volumeMounts: [{ name: 'v', mountPath: '/etc/x' }] },
      b: { volumeMounts: [{ name: 'v', mountPath: '/etc/x', readOnly: true }] },
      paths: ['volumeMounts[/etc/x].readOnly'],
    },
    {
      name: 'envFrom keyed by its source',
      a: { envFrom: [{ configMapRef: { name: 'c' } }] },
      b: { envFrom: [{ configMapRef: { name: 'c' }, prefix: 'APP_' }] },
      paths: ['envFrom[configmap/c].prefix'],
    },
    {
      name: 'unkeyed lists by index',
      a: { tolerations: [{ key: 'a', operator: 'Exists' }] },
      b: { tolerations: [{ key: 'b', operator: 'Exists' }] },
      paths: ['tolerations[0].key'],
    },
    {
      name: 'scalar lists whole',
      a: { args: ['--a', '--b'] },
      b: { args: ['--b'] },
      paths: ['args'],
    },
    {
      name: 'non-identifier keys quoted',
      a: { labels: { 'app.kubernetes.io/name': 'x' } },
      b: { labels: { 'app.kubernetes.io/name': 'y' } },
      paths: ['labels["app.kubernetes.io/name"]'],
    },
    {
      name: 'added subtree flattened to leaves',
      a: { containers: [{ name: 'a' }] },
      b: { containers: [{ name: 'a' }, { name: 'side', image: 'busybox' }] },
      paths: ['containers[side].name', 'containers[side].image'],
    },
    {
      name: 'duplicate keys fall back to index',
      a: {
        env: [
          { name: 'X', value: '1' },
          { name: 'X', value: '2' },
        ],
      },
      b: {
        env: [
          { name: 'X', value: '1' },
          { name: 'X', value: '3' },
        ],
      },
      paths: ['env[1].value'],
    },
  ])('$name', ({ a, b, paths }) => {
    expect(diffFields(a, b).map((f) => f.path)).toEqual(paths);
  });
});

describe('deepEqual', () => {
  it.each([
    [{ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 }, true],
    [{ a: undefined, b: 1 }, { b: 1 }, true],
    [{ x: undefined, y: 1 }, { y: 1, z: 2 }, false],
    [{ a: [1, 2] }, { a: [2, 1] }, false],
    [[], {}, false],
    [null, {}, false],
    ['1', 1, false],
  ])('%j vs %j', (a, b, eq) => {
    expect(deepEqual(a, b)).toBe(eq);
    expect(deepEqual(b, a)).toBe(eq);
  });
});
