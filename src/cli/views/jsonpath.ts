// `-o jsonpath=TEMPLATE` in kubectl's dialect (k8s.io/client-go/util/jsonpath): text with
// `{...}` actions; `{range EXPR}...{end}` repeats its body for each result of EXPR; `{"\n"}` is a
// literal (Go string escapes); an expression is `.a.b`, `['a.b']`, `[0]`, `[-1]`, `[1:3]`, `[*]`,
// `.*`, `..name` (recursive), `[?(@.x=="y")]` (filter: == != < > <= >=, or `[?(@.x)]` for
// presence), `[0,2]` (union), `\.` escapes a dot in a key. Results print as kubectl prints them:
// strings raw, numbers and booleans as text, maps and lists as compact JSON, several results of
// one expression joined by a space; a missing key prints nothing (kubectl get allows missing keys).
//
// Written here rather than taken from npm: the libraries there (jsonpath, jsonpath-plus,
// jsonpath-rfc9535) evaluate single JSONPath expressions in Goessner's or RFC 9535's dialect,
// none has kubectl's template layer ({range}/{end}, literals, result joining), and their filter
// and printing rules differ from client-go's, which is the contract here. Pure.

export class JsonPathError extends Error {
  readonly code = 'jsonpath.invalid';
}

type Step =
  | { k: 'field'; name: string }
  | { k: 'wild' }
  | { k: 'recurse' }
  | { k: 'index'; indices: number[] }
  | { k: 'slice'; start?: number; end?: number; step?: number }
  | { k: 'union'; names: string[] }
  | { k: 'filter'; left: Step[]; op?: string; right?: Operand };
type Operand = { path: Step[]; root: boolean } | { value: string | number | boolean };
type Node =
  | { k: 'text'; text: string }
  | { k: 'expr'; steps: Step[] }
  | { k: 'range'; steps: Step[]; body: Node[] };

const NAME_END = /[.[\s]/;

/** Parse one expression (`.a[0].b`, `$.a`, `@.a`) into steps. */
export function parsePath(src: string): Step[] {
  let s = src.trim();
  if (s.startsWith('$') || s.startsWith('@')) s = s.slice(1);
  const steps: Step[] = [];
  let i = 0;
  while (i < s.length) {
    if (s.startsWith('..', i)) {
      steps.push({ k: 'recurse' });
      i += 1; // the next '.' (or '[') starts the step recursed into
      if (s[i + 1] === '[') i++;
      continue;
    }
    if (s[i] === '.') {
      i++;
      if (s[i] === '*') {
        steps.push({ k: 'wild' });
        i++;
        continue;
      }
      let name = '';
      while (i < s.length && !NAME_END.test(s[i]!)) {
        if (s[i] === '\\' && i + 1 < s.length) i++;
        name += s[i++];
      }
      if (name) steps.push({ k: 'field', name });
      continue;
    }
    if (s[i] === '[') {
      const close = matchingBracket(s, i);
      steps.push(parseBracket(s.slice(i + 1, close)));
      i = close + 1;
      continue;
    }
    throw new JsonPathError(`unrecognized character in action: ${JSON.stringify(s[i])} in ${src}`);
  }
  return steps;
}

function matchingBracket(s: string, open: number): number {
  let depth = 0;
  let quote = '';
  for (let i = open; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[') depth++;
    else if (c === ']' && --depth === 0) return i;
  }
  throw new JsonPathError(`unterminated array in ${s}`);
}

function parseBracket(inner: string): Step {
  const t = inner.trim();
  if (t === '*') return { k: 'wild' };
  if (t.startsWith('?(') && t.endsWith(')')) return parseFilter(t.slice(2, -1));
  if (/^['"]/.test(t)) return { k: 'union', names: t.split(',').map((x) => unquote(x.trim())) };
  if (t.includes(':')) {
    const [a, b, c] = t.split(':').map((x) => (x.trim() === '' ? undefined : toInt(x)));
    return { k: 'slice', start: a, end: b, step: c };
  }
  return { k: 'index', indices: t.split(',').map(toInt) };
}

function toInt(x: string): number {
  if (!/^\s*-?\d+\s*$/.test(x)) throw new JsonPathError(`invalid array index ${x.trim()}`);
  return Number(x);
}

function unquote(q: string): string {
  if (q.startsWith('"')) {
    try {
      return JSON.parse(q) as string;
    } catch {
      throw new JsonPathError(`invalid string literal ${q}`);
    }
  }
  if (q.startsWith("'") && q.endsWith("'") && q.length >= 2) return q.slice(1, -1);
  throw new JsonPathError(`invalid string literal ${q}`);
}

const FILTER_OPS = ['==', '!=', '<=', '>=', '<', '>'];

function parseFilter(expr: string): Step {
  let quote = '';
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i]!;
    if (quote) {
      if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    const op = FILTER_OPS.find((o) => expr.startsWith(o, i));
    if (op)
      return {
        k: 'filter',
        left: parsePath(expr.slice(0, i)),
        op,
        right: operand(expr.slice(i + op.length).trim()),
      };
  }
  return { k: 'filter', left: parsePath(expr) };
}

function operand(s: string): Operand {
  if (s.startsWith('@') || s.startsWith('$')) return { path: parsePath(s), root: s.startsWith('$') };
  if (/^['"]/.test(s)) return { value: unquote(s) };
  if (s === 'true' || s === 'false') return { value: s === 'true' };
  if (/^-?\d+(\.\d+)?$/.test(s)) return { value: Number(s) };
  throw new JsonPathError(`unrecognized filter operand ${s}`);
}

/** Parse a whole template into text, expressions and ranges. */
export function parseTemplate(template: string): Node[] {
  const stack: Node[][] = [[]];
  const ranges: Extract<Node, { k: 'range' }>[] = [];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open < 0) {
      stack.at(-1)!.push({ k: 'text', text: template.slice(i) });
      break;
    }
    if (open > i) stack.at(-1)!.push({ k: 'text', text: template.slice(i, open) });
    const close = actionEnd(template, open);
    const action = template.slice(open + 1, close).trim();
    i = close + 1;
    if (action === 'end') {
      if (ranges.length === 0) throw new JsonPathError('not in range, nothing to end');
      ranges.pop();
      stack.pop();
    } else if (action.startsWith('range ') || action.startsWith('range\t')) {
      const node = { k: 'range' as const, steps: parsePath(action.slice(6)), body: [] as Node[] };
      stack.at(-1)!.push(node);
      ranges.push(node);
      stack.push(node.body);
    } else if (/^["']/.test(action)) stack.at(-1)!.push({ k: 'text', text: unquote(action) });
    else stack.at(-1)!.push({ k: 'expr', steps: parsePath(action) });
  }
  if (ranges.length > 0) throw new JsonPathError('unclosed range: a {range} has no {end}');
  return stack[0]!;
}

function actionEnd(t: string, open: number): number {
  let quote = '';
  for (let i = open + 1; i < t.length; i++) {
    const c = t[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '}') return i;
  }
  throw new JsonPathError('unclosed action');
}

// ---- evaluation

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function descendants(v: unknown): unknown[] {
  const out: unknown[] = [v];
  const kids = Array.isArray(v) ? v : isObject(v) ? Object.values(v) : [];
  for (const k of kids) out.push(...descendants(k));
  return out;
}

function sliceOf(a: unknown[], st: Extract<Step, { k: 'slice' }>): unknown[] {
  const norm = (n: number) => (n < 0 ? Math.max(0, a.length + n) : Math.min(n, a.length));
  const start = norm(st.start ?? 0);
  const end = norm(st.end ?? a.length);
  const step = st.step ?? 1;
  const out: unknown[] = [];
  for (let i = start; i < end && step > 0; i += step) out.push(a[i]);
  return out;
}

function compare(a: unknown, op: string, b: unknown): boolean {
  if (op === '==')
    return a === b || (typeof a !== typeof b && String(a) === String(b) && typeof a !== 'object');
  if (op === '!=') return !compare(a, '==', b);
  if (typeof a !== typeof b || (typeof a !== 'number' && typeof a !== 'string')) return false;
  const [x, y] = [a as number | string, b as number | string];
  return op === '<' ? x < y : op === '>' ? x > y : op === '<=' ? x <= y : x >= y;
}

function filterMatches(f: Extract<Step, { k: 'filter' }>, el: unknown, root: unknown): boolean {
  const lefts = evalSteps(f.left, [el], root);
  if (!f.op || !f.right) return lefts.length > 0;
  const r = f.right;
  const rights = 'value' in r ? [r.value] : evalSteps(r.path, [r.root ? root : el], root);
  if (lefts.length !== 1 || rights.length !== 1) return false;
  return compare(lefts[0], f.op, rights[0]);
}

function applyStep(step: Step, v: unknown, root: unknown): unknown[] {
  switch (step.k) {
    case 'field':
      return isObject(v) && Object.hasOwn(v, step.name) ? [v[step.name]] : [];
    case 'union':
      return isObject(v) ? step.names.filter((n) => Object.hasOwn(v, n)).map((n) => v[n]) : [];
    case 'wild':
      return Array.isArray(v) ? v : isObject(v) ? Object.values(v) : [];
    case 'recurse':
      return descendants(v);
    case 'index':
      return Array.isArray(v)
        ? step.indices.map((i) => (i < 0 ? v[v.length + i] : v[i])).filter((x) => x !== undefined)
        : [];
    case 'slice':
      return Array.isArray(v) ? sliceOf(v, step) : [];
    case 'filter':
      return Array.isArray(v) ? v.filter((el) => filterMatches(step, el, root)) : [];
  }
}

function evalSteps(steps: readonly Step[], values: unknown[], root: unknown): unknown[] {
  let cur = values;
  for (const step of steps) cur = cur.flatMap((v) => applyStep(step, v, root));
  return cur;
}

/** How client-go prints one result: strings raw, maps and lists as compact JSON. */
function printValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return v === null ? 'null' : '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function run(nodes: readonly Node[], data: unknown, root: unknown): string {
  let out = '';
  for (const n of nodes) {
    if (n.k === 'text') out += n.text;
    else if (n.k === 'expr') out += evalSteps(n.steps, [data], root).map(printValue).join(' ');
    else for (const item of evalSteps(n.steps, [data], root)) out += run(n.body, item, root);
  }
  return out;
}

/** Execute a kubectl JSONPath template on `data` (a List or one object). */
export function renderJsonPath(template: string, data: unknown): string {
  return run(parseTemplate(template), data, data);
}
