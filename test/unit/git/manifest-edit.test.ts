import { describe, expect, it } from 'vitest';
import {
  findHpasTargeting,
  findObjectDocuments,
  parseObjectRef,
  restoreObjectInText,
  setImageInText,
  setReplicasInText,
} from '../../../src/git/manifest-edit.js';

const web = { kind: 'Deployment', name: 'web' };

const MULTI = `# Web tier: keep the comments!
apiVersion: v1
kind: ConfigMap
metadata:
  name: web
data:
  replicas: "9"   # not a Deployment: never touched
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web   # the one
  labels: { app: web }
spec:
  replicas: 3 # three for HA

  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: "registry.local/web:1.0.0"   # pinned
        - name: sidecar
          image: busybox:1.36
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: api
          image: api:1
`;

function unchangedOutside(before: string, after: string, changedLines: number[]): void {
  const b = before.split('\n');
  const a = after.split('\n');
  expect(a.length).toBe(b.length);
  b.forEach((line, i) => {
    if (!changedLines.includes(i + 1)) expect(a[i]).toBe(line);
  });
}

describe('parseObjectRef', () => {
  it.each([
    ['deployment/web', { kind: 'Deployment', name: 'web' }],
    ['deploy/web', { kind: 'Deployment', name: 'web' }],
    ['Deployment/web-1', { kind: 'Deployment', name: 'web-1' }],
    ['pod/my-app', { kind: 'Pod', name: 'my-app' }],
    ['hpa/web', { kind: 'HorizontalPodAutoscaler', name: 'web' }],
  ])('%s', (text, ref) => {
    expect(parseObjectRef(text)).toEqual(ref);
  });
  it.each(['web', 'deployment/', 'gizmo/web', 'deployment/Web', 'deployment/web/x'])('rejects %s', (text) => {
    expect(parseObjectRef(text)).toBeUndefined();
  });
});

describe('setReplicasInText', () => {
  it('changes only the replicas value of the right document, keeping comments and blank lines', () => {
    const r = setReplicasInText(MULTI, web, 5);
    expect(r).toMatchObject({ ok: true, changed: true, previous: ['3'] });
    if (!r.ok) return;
    expect(r.text).toContain('  replicas: 5 # three for HA\n\n  selector:');
    unchangedOutside(MULTI, r.text, [15]);
    // api keeps its 3; the ConfigMap's "replicas" key is untouched.
    expect(r.text).toContain('name: api\nspec:\n  replicas: 3');
    expect(r.text).toContain('replicas: "9"   # not a Deployment');
  });

  it('reports no change when the value is already there', () => {
    expect(setReplicasInText(MULTI, web, 3)).toEqual({
      ok: true,
      text: MULTI,
      changed: false,
      previous: ['3'],
    });
  });

  it('inserts replicas as the first key of spec when absent, at spec indentation', () => {
    const text = 'kind: Deployment\nmetadata:\n  name: web\nspec:\n    # selector first\n    selector: {}\n';
    const r = setReplicasInText(text, web, 2);
    expect(r.ok && r.text).toBe(
      'kind: Deployment\nmetadata:\n  name: web\nspec:\n    # selector first\n    replicas: 2\n    selector: {}\n',
    );
  });

  it('edits JSON manifests in place, and inserts into JSON flow maps in JSON style', () => {
    const json =
      '{\n  "kind": "Deployment",\n  "metadata": {"name": "web"},\n  "spec": {\n    "replicas": 1\n  }\n}\n';
    const r = setReplicasInText(json, web, 4);
    expect(r.ok && r.text).toBe(json.replace('"replicas": 1', '"replicas": 4'));
    expect(JSON.parse(r.ok ? r.text : '')).toMatchObject({ spec: { replicas: 4 } });
    const noReplicas =
      '{\n  "kind": "Deployment",\n  "metadata": {"name": "web"},\n  "spec": {\n    "paused": false\n  }\n}\n';
    const r2 = setReplicasInText(noReplicas, web, 4);
    expect(JSON.parse(r2.ok ? r2.text : '')).toEqual({
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { replicas: 4, paused: false },
    });
  });

  it('replaces an alias with a value, without touching the anchor other fields share', () => {
    const text =
      'kind: Deployment\nmetadata:\n  name: web\n  annotations:\n    count: &n 3\nspec:\n  replicas: *n\n';
    const r = setReplicasInText(text, web, 7);
    expect(r.ok && r.text).toBe(text.replace('replicas: *n', 'replicas: 7'));
  });

  it('keeps aliases of an edited anchor meaning the old value', () => {
    const ordered =
      'kind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: &n 3\n  minReadySeconds: *n\n';
    const r = setReplicasInText(ordered, web, 6);
    expect(r.ok && r.text).toBe(
      'kind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: &n 6\n  minReadySeconds: 3\n',
    );
  });

  it.each([
    [{ kind: 'Deployment', name: 'nope' }, 5, /not declared/],
    [{ kind: 'Pod', name: 'web' }, 5, /no replicas/],
    [web, -1, /integer/],
    [web, 1.5, /integer/],
  ])('refuses %o x %d', (ref, n, reason) => {
    const r = setReplicasInText(MULTI, ref, n);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it('refuses an object declared twice in one file', () => {
    const r = setReplicasInText(
      'kind: Deployment\nmetadata: {name: web}\n---\nkind: Deployment\nmetadata: {name: web}\n',
      web,
      1,
    );
    expect(r).toEqual({ ok: false, reason: 'deployment/web is declared 2 times' });
  });

  it('matches namespaces: an explicit namespace is a different object', () => {
    const text = 'kind: Deployment\nmetadata:\n  name: web\n  namespace: prod\nspec:\n  replicas: 1\n';
    expect(setReplicasInText(text, web, 2).ok).toBe(false);
    expect(setReplicasInText(text, { ...web, namespace: 'prod' }, 2).ok).toBe(true);
  });
});

describe('setImageInText', () => {
  it('changes one container image, keeping its quotes and comment', () => {
    const r = setImageInText(MULTI, web, 'web', 'registry.local/web:2.0.0');
    expect(r).toMatchObject({ ok: true, changed: true, previous: ['registry.local/web:1.0.0'] });
    if (!r.ok) return;
    expect(r.text).toContain('          image: "registry.local/web:2.0.0"   # pinned\n');
    unchangedOutside(MULTI, r.text, [27]);
  });

  it('sets every container with *', () => {
    const r = setImageInText(MULTI, web, '*', 'img:3');
    expect(r).toMatchObject({ ok: true, previous: ['registry.local/web:1.0.0', 'busybox:1.36'] });
    if (!r.ok) return;
    expect(r.text).toContain('image: "img:3"   # pinned');
    expect(r.text).toContain('image: img:3\n---');
    unchangedOutside(MULTI, r.text, [27, 29]);
  });

  it('handles init containers and Pods', () => {
    const pod =
      "kind: Pod\nmetadata:\n  name: p\nspec:\n  initContainers:\n    - name: init\n      image: 'a:1'\n  containers:\n    - name: app\n      image: b:1\n";
    const r = setImageInText(pod, { kind: 'Pod', name: 'p' }, 'init', 'a:2');
    expect(r.ok && r.text).toBe(pod.replace("'a:1'", "'a:2'"));
  });

  it('names the containers when the one asked for does not exist', () => {
    const r = setImageInText(MULTI, web, 'nginx', 'x:1');
    expect(r).toEqual({
      ok: false,
      reason: 'deployment/web has no container named nginx (containers: web, sidecar)',
    });
  });

  it.each([
    ['true', /image: "true"\n$/],
    ['123', /image: "123"\n$/],
    ['api:#1', /image: api:#1\n$/],
  ])('writes %s so that it still reads back as a string', (image, shape) => {
    const r = setImageInText(MULTI, { kind: 'Deployment', name: 'api' }, 'api', image);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.text).toMatch(shape);
    expect(setImageInText(r.text, { kind: 'Deployment', name: 'api' }, 'api', image)).toMatchObject({
      changed: false,
    });
  });
});

describe('finding objects', () => {
  it('finds the documents that declare an object', () => {
    expect(findObjectDocuments(MULTI, web)).toEqual([1]);
    expect(findObjectDocuments(MULTI, { kind: 'Deployment', name: 'api' })).toEqual([2]);
    expect(findObjectDocuments(MULTI, { kind: 'ConfigMap', name: 'web' })).toEqual([0]);
  });

  it('finds HPAs that own a Deployment replicas', () => {
    const hpa =
      'kind: HorizontalPodAutoscaler\nmetadata:\n  name: web-hpa\nspec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: web\n';
    expect(findHpasTargeting(hpa, web)).toEqual(['web-hpa']);
    expect(findHpasTargeting(hpa, { kind: 'Deployment', name: 'api' })).toEqual([]);
  });
});

describe('restoreObjectInText', () => {
  it('puts back one document from an old revision, leaving the others as they are now', () => {
    const old = MULTI.replace(
      'image: "registry.local/web:1.0.0"',
      'image: "registry.local/web:0.9.0"',
    ).replace('replicas: 3 # three for HA', 'replicas: 2');
    const now = MULTI.replace('image: api:1', 'image: api:2');
    const r = restoreObjectInText(now, old, web);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.text).toContain('web:0.9.0');
    expect(r.text).toContain('  replicas: 2\n');
    expect(r.text).toContain('image: api:2');
    expect(r.text.startsWith('# Web tier: keep the comments!\n')).toBe(true);
    expect(r.text.split('\n---\n')).toHaveLength(3);
  });

  it('appends the document when the file no longer has it', () => {
    const r = restoreObjectInText(
      'kind: ConfigMap\nmetadata:\n  name: c\n',
      'kind: Deployment\nmetadata:\n  name: web\n',
      web,
    );
    expect(r.ok && r.text).toBe(
      'kind: ConfigMap\nmetadata:\n  name: c\n---\nkind: Deployment\nmetadata:\n  name: web\n',
    );
  });
});
