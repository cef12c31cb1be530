// The machine-readable printers of `skiff get` as kubectl has them: `-o json` and `-o yaml`
// (kubectl prints what the API server sends, keys in alphabetical order, JSON indented by four
// spaces, YAML with list items flush under their key), `-o name` (`pod/web-1`, the resource
// and its group as `kubectl get -o name` writes them) and `-o jsonpath=TEMPLATE`. Several objects
// are a v1 List; one object asked for by name (`get pod NAME`) is printed alone, as kubectl does.
// Pure: objects in, text out.

import { stringify } from 'yaml';
import { renderJsonPath } from './jsonpath.js';
import { type KubeObject, kubeList } from './kube-objects.js';

export type KubeFormat =
  | { kind: 'json' }
  | { kind: 'yaml' }
  | { kind: 'name' }
  | { kind: 'jsonpath'; template: string };

/** `-o name`'s prefix per kind: the resource, with its API group when it has one. */
const NAME_PREFIX: Record<string, string> = {
  Pod: 'pod',
  Deployment: 'deployment.apps',
  Service: 'service',
  Endpoints: 'endpoints',
  HorizontalPodAutoscaler: 'horizontalpodautoscaler.autoscaling',
  PersistentVolumeClaim: 'persistentvolumeclaim',
  ConfigMap: 'configmap',
  Secret: 'secret',
};

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
  return out;
}

function objectName(o: KubeObject): string {
  const kind = String(o.kind);
  const name = (o.metadata as { name?: string } | undefined)?.name ?? '';
  return `${NAME_PREFIX[kind] ?? kind.toLowerCase()}/${name}`;
}

/** `single`: the user named one object (`get pod NAME`); it prints without the List. */
export function renderKube(objects: readonly KubeObject[], format: KubeFormat, single = false): string {
  if (format.kind === 'name') return objects.map((o) => `${objectName(o)}\n`).join('');
  const data = single && objects.length === 1 ? objects[0]! : kubeList(objects);
  switch (format.kind) {
    case 'json':
      return `${JSON.stringify(sortKeys(data), null, 4)}\n`;
    case 'yaml':
      return stringify(sortKeys(data), { indentSeq: false, lineWidth: 0 });
    case 'jsonpath':
      return renderJsonPath(format.template, data);
  }
}
