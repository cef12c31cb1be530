// Prometheus text exposition of the daemon's state (pods by phase, deployments, hosts, the
// last pass). Shell-side rendering of the read model; no secret values.
import { terminalText } from '../diff/terminal-text.js';
import type { SkiffInstance } from './skiff-instance.js';

export function renderMetrics(inst: SkiffInstance): string {
  const view = inst.reconciler.view;
  const last = inst.reconciler.last;
  const lines: string[] = [];
  const metric = (name: string, help: string, type: string, samples: [Record<string, string>, number][]) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, v] of samples) {
      const l = Object.entries(labels)
        // Controls shown as escapes, then the escapes' backslashes and quotes made plain.
        .map(([k, x]) => `${k}="${terminalText(x).replace(/["\\]/g, '_')}"`)
        .join(',');
      lines.push(`${name}${l ? `{${l}}` : ''} ${v}`);
    }
  };
  const phases = new Map<string, number>();
  for (const p of view?.pods ?? []) phases.set(p.phase, (phases.get(p.phase) ?? 0) + 1);
  metric(
    'skiff_pods',
    'Pods by phase.',
    'gauge',
    [...phases].map(([phase, n]) => [{ phase }, n]),
  );
  metric(
    'skiff_deployment_available_replicas',
    'Available replicas per Deployment.',
    'gauge',
    (view?.deployments ?? []).map((d) => [
      { namespace: d.namespace, deployment: d.name },
      d.availableReplicas,
    ]),
  );
  metric(
    'skiff_host_ready',
    'Whether each host is Ready.',
    'gauge',
    (view?.hosts ?? []).map((h) => [{ host: h.name }, h.ready ? 1 : 0]),
  );
  metric('skiff_last_pass_duration_seconds', 'Duration of the last reconcile pass.', 'gauge', [
    [{}, (last?.durationMs ?? 0) / 1000],
  ]);
  metric('skiff_last_pass_actions', 'Actions of the last reconcile pass.', 'gauge', [
    [{}, last?.actions.length ?? 0],
  ]);
  return `${lines.join('\n')}\n`;
}
