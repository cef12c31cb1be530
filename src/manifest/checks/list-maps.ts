// Unique keys of Kubernetes' list-maps (`+listType=map` / `+listMapKey` in k8s.io/api
// core/v1 types.go): one table of every keyed list skiff reads, and one check. Severity is
// what the API server does on create/update: pkg/apis/core/validation refuses a duplicate
// container name, volume name, mountPath, port name, host port or Service port ("Duplicate
// value"); pkg/api/pod/warnings.go only warns for a duplicate container port definition and
// an env var hiding an earlier one (kubectl prints the warning). Each finding points at the
// duplicate and names the first entry's path. Runs on the document as written (after null
// normalization), so a key field the API server defaults (protocol) carries its default
// here. Pure.
import type { Severity } from '../../model/diagnostics.js';
import type { PathSegment } from '../parse.js';
import { renderPath } from '../render-path.js';
import type { Collector, P } from './collector.js';

type Item = Record<string, unknown>;
/** A path below the rule's base; `*` stands for every item of the list at that point. */
type Pattern = readonly string[];

interface ListMapRule {
  /** Lists whose items share one key space (containers and initContainers: one name each). */
  lists: readonly Pattern[];
  /** Each match is a key space of its own (every container's mounts); default: the base. */
  each?: readonly Pattern[];
  /** Key fields, with the default the API server fills; an item missing one is not keyed. */
  key: readonly { field: string; default?: string | number }[];
  /** Where the finding points: this field of the duplicate, or the item itself. */
  at?: string;
  severity: Severity;
  /** The key as messages name it. */
  what: string;
  /** A later entry that is not a duplicate of the earlier one after all. */
  exempt?: (item: Item, key: string) => boolean;
  /** What follows from the duplicate, for a warning. */
  consequence?: string;
}

const CONTAINERS: Pattern[] = [
  ['containers', '*'],
  ['initContainers', '*'],
];
const everyContainer = (field: string): Pattern[] => CONTAINERS.map((c) => [...c, field]);

/** pkg/api/pod/warnings.go: `X=$(X)suffix` extends the earlier X rather than hiding it. */
function extendsEarlier(item: Item, name: string): boolean {
  const ref = `$(${name})`;
  return (
    item.valueFrom === undefined &&
    typeof item.value === 'string' &&
    item.value !== ref &&
    item.value.includes(ref)
  );
}

const POD_SPEC: readonly ListMapRule[] = [
  {
    lists: [['containers'], ['initContainers']],
    key: [{ field: 'name' }],
    at: 'name',
    severity: 'error',
    what: 'container name',
  },
  { lists: [['volumes']], key: [{ field: 'name' }], at: 'name', severity: 'error', what: 'volume name' },
  {
    lists: [['imagePullSecrets']],
    key: [{ field: 'name' }],
    severity: 'warning',
    what: 'imagePullSecrets name',
    consequence: 'server-side apply refuses it',
  },
  {
    lists: [['securityContext', 'sysctls']],
    key: [{ field: 'name' }],
    at: 'name',
    severity: 'error',
    what: 'sysctl name',
  },
  {
    each: CONTAINERS,
    lists: [['volumeMounts']],
    key: [{ field: 'mountPath' }],
    at: 'mountPath',
    severity: 'error',
    what: 'mountPath',
  },
  {
    each: CONTAINERS,
    lists: [['ports']],
    key: [{ field: 'name' }],
    at: 'name',
    severity: 'error',
    what: 'port name',
  },
  {
    lists: everyContainer('ports'),
    key: [{ field: 'hostPort' }, { field: 'hostIP', default: '' }, { field: 'protocol', default: 'TCP' }],
    at: 'hostPort',
    severity: 'error',
    what: 'hostPort',
  },
  {
    lists: everyContainer('ports'),
    key: [
      { field: 'containerPort' },
      { field: 'protocol', default: 'TCP' },
      { field: 'hostPort', default: 0 },
      { field: 'hostIP', default: '' },
    ],
    severity: 'warning',
    what: 'port definition',
    consequence: 'it adds nothing',
  },
  {
    each: CONTAINERS,
    lists: [['env']],
    key: [{ field: 'name' }],
    severity: 'warning',
    what: 'env name',
    exempt: extendsEarlier,
    consequence: 'the last definition wins, and apply may drop the earlier one',
  },
];

const SERVICE: readonly ListMapRule[] = [
  { lists: [['ports']], key: [{ field: 'name' }], at: 'name', severity: 'error', what: 'port name' },
  {
    lists: [['ports']],
    key: [{ field: 'port' }, { field: 'protocol', default: 'TCP' }],
    severity: 'error',
    what: 'port',
  },
  {
    lists: [['ports']],
    key: [{ field: 'nodePort' }, { field: 'protocol', default: 'TCP' }],
    at: 'nodePort',
    severity: 'error',
    what: 'nodePort',
  },
];

/** Which rules apply where, per kind: the base path and its table. */
const LIST_MAPS: Record<string, readonly { base: Pattern; rules: readonly ListMapRule[] }[]> = {
  Pod: [{ base: ['spec'], rules: POD_SPEC }],
  Deployment: [{ base: ['spec', 'template', 'spec'], rules: POD_SPEC }],
  Service: [{ base: ['spec'], rules: SERVICE }],
};

interface Located {
  path: PathSegment[];
  value: unknown;
}

/** Every value the pattern reaches below `from`. */
function expand(from: Located, pattern: Pattern): Located[] {
  let found: Located[] = [from];
  for (const seg of pattern) {
    const next: Located[] = [];
    for (const { path, value } of found) {
      if (seg === '*') {
        if (Array.isArray(value))
          for (let i = 0; i < value.length; i++) next.push({ path: [...path, i], value: value[i] });
      } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        const v = (value as Item)[seg];
        if (v !== undefined) next.push({ path: [...path, seg], value: v });
      }
    }
    found = next;
  }
  return found;
}

/** The key fields' values, or undefined when the item is not keyed. */
function keyOf(item: Item, rule: ListMapRule): string[] | undefined {
  const parts: string[] = [];
  for (const k of rule.key) {
    const v = item[k.field] ?? k.default;
    // Not keyed: an unnamed port, a port without a host port (hostPort 0 is none).
    if (k.default === undefined && (v === undefined || v === '' || v === 0)) return undefined;
    parts.push(String(v));
  }
  return parts;
}

function checkKeySpace(c: Collector, scope: Located, rule: ListMapRule): void {
  const first = new Map<string, PathSegment[]>();
  for (const list of rule.lists)
    for (const { path, value } of expand(scope, [...list, '*'])) {
      if (value === null || typeof value !== 'object') continue;
      const item = value as Item;
      const parts = keyOf(item, rule);
      if (parts === undefined) continue;
      const key = parts.join('\u0000');
      const at = rule.at ? [...path, rule.at] : path;
      const earlier = first.get(key);
      if (!earlier) first.set(key, at);
      else if (!rule.exempt?.(item, key)) report(c, rule, parts, at, earlier);
    }
}

function report(c: Collector, rule: ListMapRule, parts: string[], at: P, earlier: P): void {
  // The key as written: defaults that say nothing (no host port, no host IP) left out.
  const shown = parts.filter((k) => k !== '' && k !== '0').join('/');
  const message = `duplicate ${rule.what} ${JSON.stringify(shown)}: first at ${renderPath(earlier)}${rule.consequence ? ` (${rule.consequence})` : ''}`;
  if (rule.severity === 'error') c.error(at, 'semantic.duplicate-key', message);
  else c.warn(at, 'semantic.duplicate-key', message);
}

/** Every list-map of the object's kind; `raw` is the document as written. */
export function checkListMaps(c: Collector, kind: string, raw: Record<string, unknown>): void {
  for (const { base, rules } of LIST_MAPS[kind] ?? [])
    for (const root of expand({ path: [], value: raw }, base))
      for (const rule of rules)
        for (const scope of rule.each ? rule.each.flatMap((p) => expand(root, p)) : [root])
          checkKeySpace(c, scope, rule);
}
