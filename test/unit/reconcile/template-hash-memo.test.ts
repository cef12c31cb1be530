// The template hash is remembered per template object, and is the same hash as before the memo
// (running pods carry it: it must never change): FNV-1a over the template's canonical JSON
// followed by the referenced config's digest input. A changed ConfigMap or Secret (a new
// object), another namespace, or a missing one that appears gives a fresh hash.
import { describe, expect, it } from 'vitest';
import { encodeTemplateHash } from '../../../src/controllers/pod-name.js';
import {
  type ConfigIndex,
  configRefsOf,
  indexConfig,
  referencedConfig,
  referencedConfigDigestInput,
} from '../../../src/manifest/config-refs.js';
import type { ConfigMap, PodTemplateSpec, Secret } from '../../../src/model/k8s.js';
import { canonicalJson, fnv1a32 } from '../../../src/model/stable-hash.js';
import { templateHash } from '../../../src/reconcile/template-hash.js';
import { container, podSpec } from '../controllers/fixtures.js';

const source = { file: 'app.yaml', document: 0, line: 1, column: 1 };
const meta = (name: string, namespace = 'default') => ({ name, namespace, labels: {}, annotations: {} });
const configMap = (name: string, data: Record<string, string>, namespace = 'default'): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: meta(name, namespace),
  source,
  data,
  binaryData: {},
});
const secret = (name: string, data: Record<string, string>): Secret => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: meta(name),
  source,
  type: 'Opaque',
  data,
});

function template(): PodTemplateSpec {
  const app = {
    ...container('app'),
    env: [{ name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }],
    envFrom: [{ configMapRef: { name: 'cfg' } }],
  };
  return { metadata: { labels: { app: 'web' }, annotations: {} }, spec: podSpec({ containers: [app] }) };
}

/** The hash as computed before the memo: one FNV pass over both texts. */
function unmemoized(t: PodTemplateSpec, namespace: string, config: ConfigIndex): string {
  const refs = configRefsOf(t.spec);
  const input =
    canonicalJson(t) + referencedConfigDigestInput(refs, referencedConfig(refs, namespace, config));
  return encodeTemplateHash(fnv1a32(input));
}

describe('templateHash memo', () => {
  it('gives the hash computed without it, on every call and after every change', () => {
    const t = template();
    const steps: [string, string, ConfigIndex][] = [
      ['first', 'default', indexConfig([configMap('cfg', { a: '1' })], [secret('db', { password: 'eA==' })])],
      [
        'same objects again',
        'default',
        indexConfig([configMap('cfg', { a: '1' })], [secret('db', { password: 'eA==' })]),
      ],
      [
        'ConfigMap changed',
        'default',
        indexConfig([configMap('cfg', { a: '2' })], [secret('db', { password: 'eA==' })]),
      ],
      [
        'Secret changed',
        'default',
        indexConfig([configMap('cfg', { a: '2' })], [secret('db', { password: 'eQ==' })]),
      ],
      ['Secret gone', 'default', indexConfig([configMap('cfg', { a: '2' })], [])],
      ['other namespace', 'other', indexConfig([configMap('cfg', { a: '2' }, 'other')], [])],
    ];
    const seen = new Set<string>();
    for (const [, ns, config] of steps) {
      const h = templateHash(t, ns, config);
      expect(h).toBe(unmemoized(t, ns, config));
      seen.add(h);
    }
    // The second step repeats the first's content; the last the fifth's (the namespace is not
    // hashed, only what it finds there).
    expect(seen.size).toBe(4);
  });

  it('answers the same objects with the hash it kept, reading a template object once', () => {
    const t = template();
    const config = indexConfig([configMap('cfg', { a: '1' })], [secret('db', { password: 'eA==' })]);
    const h = templateHash(t, 'default', config);
    expect(templateHash(t, 'default', config)).toBe(h);
    expect(templateHash(structuredClone(t), 'default', config)).toBe(h);
    // The template is read once per object: changed in place (the desired state never is),
    // the kept hash is still answered; an equal new object is hashed afresh.
    const changed = structuredClone(t);
    t.metadata.labels = { app: 'other' };
    expect(templateHash(t, 'default', config)).toBe(h);
    changed.metadata.labels = { app: 'other' };
    expect(templateHash(changed, 'default', config)).toBe(unmemoized(changed, 'default', config));
    expect(templateHash(changed, 'default', config)).not.toBe(h);
  });
});
