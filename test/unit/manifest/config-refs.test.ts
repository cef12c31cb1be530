// podConfigRefs and the uses built on it: reads by key (the plan's "why it rolls") and the
// referenced names the template hash digests.
import { describe, expect, it } from 'vitest';
import { configReadsOf, configRefsOf, keysRead, podConfigRefs } from '../../../src/manifest/config-refs.js';
import { validateBundle } from '../../../src/manifest/index.js';
import type { Deployment, PodSpec } from '../../../src/model/k8s.js';

const TEXT = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx
          envFrom:
            - configMapRef: {name: base}
          env:
            - name: TOKEN
              valueFrom: {secretKeyRef: {name: creds, key: token, optional: true}}
      volumes:
        - name: conf
          configMap:
            name: files
            items: [{key: app.conf, path: app.conf}]
        - name: keys
          secret: {secretName: creds}
        - name: scratch
          emptyDir: {}
`;

function podSpec(): PodSpec {
  const { objects, diagnostics } = validateBundle([{ path: 'web.yaml', text: TEXT }], {
    allowMissingRefs: true,
  });
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return (objects[0] as Deployment).spec.template.spec;
}

describe('podConfigRefs', () => {
  it('finds every reference once, with its door, keys and path', () => {
    const refs = podConfigRefs(podSpec());
    expect(refs.map((r) => [r.door, r.kind, r.name, keysRead(r), r.optional, r.path.join('.')])).toEqual([
      ['envFrom', 'ConfigMap', 'base', 'all', false, 'containers.0.envFrom.0.configMapRef.name'],
      ['env', 'Secret', 'creds', ['token'], true, 'containers.0.env.0.valueFrom.secretKeyRef.name'],
      ['volume', 'ConfigMap', 'files', ['app.conf'], false, 'volumes.0.configMap.name'],
      ['volume', 'Secret', 'creds', 'all', false, 'volumes.1.secret.secretName'],
    ]);
    expect(refs[2]!.items).toEqual([
      { key: 'app.conf', path: ['volumes', 0, 'configMap', 'items', 0, 'key'] },
    ]);
  });

  it('reads by key for the plan: one key through env, all keys through envFrom or a whole volume', () => {
    const reads = configReadsOf(podSpec());
    expect(reads.get('ConfigMap/base')).toBe('all');
    expect(reads.get('ConfigMap/files')).toEqual(new Set(['app.conf']));
    expect(reads.get('Secret/creds')).toBe('all');
  });

  it('names the referenced objects for the template hash, sorted and once each', () => {
    expect(configRefsOf(podSpec())).toEqual({ configMaps: ['base', 'files'], secrets: ['creds'] });
  });
});
