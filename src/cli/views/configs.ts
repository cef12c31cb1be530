// `skiff get configmaps` (NAME DATA AGE) and `skiff get secrets` (NAME TYPE DATA AGE), as
// kubectl. Only key counts: values are never part of a view. Pure.
import type { ConfigView } from '../../model/views.js';
import { since } from './age.js';
import { byNamespaceAndName, type GetOptions } from './pods.js';
import { renderTable } from './table.js';

function render(configs: readonly ConfigView[], opts: GetOptions, kind: ConfigView['kind']): string {
  const shown = configs.filter((c) => c.kind === kind);
  if (shown.length === 0) return 'No resources found.\n';
  const headers = kind === 'Secret' ? ['NAME', 'TYPE', 'DATA', 'AGE'] : ['NAME', 'DATA', 'AGE'];
  if (opts.allNamespaces) headers.unshift('NAMESPACE');
  const rows = byNamespaceAndName(shown).map((c) => {
    const row = [c.name, String(c.keys.length), since(c.createdAt, opts.now)];
    if (kind === 'Secret') row.splice(1, 0, c.type ?? 'Opaque');
    if (opts.allNamespaces) row.unshift(c.namespace);
    return row;
  });
  return renderTable(headers, rows);
}

export function renderConfigMaps(configs: readonly ConfigView[], opts: GetOptions): string {
  return render(configs, opts, 'ConfigMap');
}

export function renderSecrets(configs: readonly ConfigView[], opts: GetOptions): string {
  return render(configs, opts, 'Secret');
}
