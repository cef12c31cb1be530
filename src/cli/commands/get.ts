// `skiff get KIND [NAME] [-o FORMAT] [-l SELECTOR] [-w]`: kubectl's tables, and its printers:
// `-o json|yaml` print the objects as the Kubernetes API serves them (a v1 List, or the one
// object named), `-o name`, `-o jsonpath=TEMPLATE`; `-o skiff-json` prints skiff's own views.
import type { Command } from 'commander';
import { parseSelectorString, SelectorParseError } from '../../manifest/label-selector-string.js';
import { SkiffError, UsageError } from '../../model/errors.js';
import { type ClusterOptions, clusterFlags, loadCliConfig } from '../cli-context.js';
import { type GetOutput, getOutputFormat, printJson, printJsonText, printText } from '../output.js';
import { readClusterView, readEvents } from '../read-cluster.js';
import {
  type GetKind,
  type GetResources,
  type GetSelection,
  type GetSource,
  selectResources,
} from '../views/get-resources.js';
import { JsonPathError } from '../views/jsonpath.js';
import { renderKube } from '../views/kube-print.js';
import { readHpaViews } from './get-hpa.js';
import { interruptSignal, watchResources } from './get-watch.js';

const ALIASES: Record<string, GetKind> = {
  po: 'pods',
  pod: 'pods',
  pods: 'pods',
  deploy: 'deployments',
  deployment: 'deployments',
  deployments: 'deployments',
  cm: 'configmaps',
  configmap: 'configmaps',
  configmaps: 'configmaps',
  secret: 'secrets',
  secrets: 'secrets',
  ev: 'events',
  event: 'events',
  events: 'events',
  svc: 'services',
  service: 'services',
  services: 'services',
  ep: 'endpoints',
  endpoints: 'endpoints',
  pvc: 'pvc',
  persistentvolumeclaim: 'pvc',
  persistentvolumeclaims: 'pvc',
  hpa: 'hpa',
  horizontalpodautoscaler: 'hpa',
  horizontalpodautoscalers: 'hpa',
};

/** kubectl's singular resource names, for "not found". */
const SINGULAR: Record<GetKind, string> = {
  pods: 'pods',
  deployments: 'deployments.apps',
  services: 'services',
  endpoints: 'endpoints',
  configmaps: 'configmaps',
  secrets: 'secrets',
  pvc: 'persistentvolumeclaims',
  events: 'events',
  hpa: 'horizontalpodautoscalers.autoscaling',
};

interface GetFlags extends ClusterOptions {
  output: string;
  namespace?: string;
  allNamespaces?: boolean;
  selector?: string;
  watch?: boolean;
}

function parseSelector(s: string | undefined) {
  try {
    return parseSelectorString(s ?? '');
  } catch (e) {
    if (e instanceof SelectorParseError)
      throw new UsageError(
        e.message,
        "a selector is like -l 'app=web,tier!=db,env in (prod,staging),!canary'",
      );
    throw e;
  }
}

/** Print one answer of `get` in the chosen format. `single`: one object was named. */
function print(res: GetResources, values: readonly unknown[], out: GetOutput, ctx: PrintContext): void {
  if (out.kind === 'skiff-json') {
    printJson(ctx.single ? values[0] : values);
    return;
  }
  if (out.kind === 'text' || out.kind === 'wide') {
    const text = res.table(values, { now: Date.now(), wide: out.kind === 'wide', allNamespaces: ctx.all });
    printText(ctx.header ? text : text.split('\n').slice(1).join('\n'));
    return;
  }
  if (out.kind === 'name' && ctx.kind === 'events')
    throw new UsageError(
      'events have no names in skiff (they are records of its history)',
      'use -o json or a table',
    );
  let text: string;
  try {
    text = renderKube(res.kube(values), out, ctx.single);
  } catch (e) {
    if (e instanceof JsonPathError)
      throw new UsageError(
        `error parsing jsonpath ${(out as { template: string }).template}, ${e.message}`,
        "see kubectl's JSONPath support: {.items[*].metadata.name}, {range .items[*]}...{end}",
      );
    throw e;
  }
  if (out.kind === 'json') printJsonText(text);
  else printText(text);
}

interface PrintContext {
  kind: GetKind;
  single: boolean;
  all: boolean;
  header: boolean;
}

export function registerGet(program: Command): void {
  clusterFlags(
    program
      .command('get')
      .description(
        'list objects as kubectl does: pods, deployments, services, endpoints, configmaps, secrets, pvc, events, hpa',
      )
      .argument(
        '<kind>',
        'pods | deployments | services | endpoints | configmaps | secrets | pvc | events | hpa',
      )
      .argument('[name]', 'only the object of this name (printed alone, without the List)')
      .option(
        '-o, --output <format>',
        'text | wide | json | yaml | name | jsonpath=TEMPLATE | skiff-json',
        'text',
      )
      .option('-n, --namespace <ns>', 'only this namespace')
      .option('-A, --all-namespaces', 'every namespace')
      .option('-l, --selector <selector>', "label selector: 'a=b,c!=d,e in (x,y),!f'")
      .option('-w, --watch', 'after listing, print a line per change (Ctrl-C to stop)'),
  ).action(async (kindArg: string, name: string | undefined, opts: GetFlags) => {
    const kind = ALIASES[kindArg.toLowerCase()];
    if (!kind)
      throw new UsageError(
        `the server doesn't have a resource type "${kindArg}"`,
        'use pods, deployments, services, endpoints, configmaps, secrets, pvc, events or hpa',
      );
    const out = getOutputFormat(opts.output);
    const sel: GetSelection = {
      namespace: opts.allNamespaces ? undefined : (opts.namespace ?? 'default'),
      name,
      selector: parseSelector(opts.selector),
    };
    const config = await loadCliConfig(opts);
    const read = async (): Promise<GetResources> => {
      const src: GetSource =
        kind === 'hpa'
          ? { hpas: await readHpaViews(config) }
          : kind === 'events'
            ? { events: await readEvents(config) }
            : { view: await readClusterView(config) };
      return selectResources(kind, src, sel);
    };
    const ctx: PrintContext = { kind, single: name !== undefined, all: !!opts.allNamespaces, header: true };
    if (opts.watch) return watch(read, out, ctx);
    const res = await read();
    if (name !== undefined && res.items.length === 0)
      throw new SkiffError('not-found', `${SINGULAR[kind]} "${name}" not found`, {
        hint: `list them with: skiff get ${kind}${sel.namespace ? ` -n ${sel.namespace}` : ' -A'}`,
      });
    print(
      res,
      res.items.map((i) => i.value),
      out,
      ctx,
    );
  });
}

async function watch(read: () => Promise<GetResources>, out: GetOutput, ctx: PrintContext): Promise<void> {
  // kubectl -w prints objects one at a time (no List), a table's rows without a new header.
  const each = (res: GetResources, values: readonly unknown[], header: boolean) => {
    if (out.kind === 'text' || out.kind === 'wide') print(res, values, out, { ...ctx, header });
    else for (const v of values) print(res, [v], out, { ...ctx, single: true });
  };
  const { signal, dispose } = interruptSignal();
  try {
    await watchResources(
      read,
      {
        first: (res) =>
          each(
            res,
            res.items.map((i) => i.value),
            true,
          ),
        changed: (res, values) => each(res, values, false),
      },
      { intervalMs: 1000, signal },
    );
  } finally {
    dispose();
  }
}
