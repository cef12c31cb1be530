// A label selector as kubectl prints it (SELECTOR column, `describe`'s Selector line). Pure.
// Port of metav1.FormatLabelSelector (k8s.io/apimachinery/pkg/apis/meta/v1/helpers.go) over
// labels.Requirement.String (k8s.io/apimachinery/pkg/labels/selector.go): requirements sorted
// by key; matchLabels as `k=v`; In/NotIn as `k in (a,b)`/`k notin (a,b)` with sorted values;
// Exists as `k`; DoesNotExist as `!k`; an empty selector is `<none>`.
import type { LabelSelector } from '../model/k8s.js';

function requirement(key: string, operator: string, values: string[]): string {
  const sorted = [...values].sort();
  switch (operator) {
    case 'Equals':
      return `${key}=${sorted[0] ?? ''}`;
    case 'In':
      return `${key} in (${sorted.join(',')})`;
    case 'NotIn':
      return `${key} notin (${sorted.join(',')})`;
    case 'Exists':
      return key;
    case 'DoesNotExist':
      return `!${key}`;
    default:
      return `${key} ${operator} (${sorted.join(',')})`;
  }
}

export function formatLabelSelector(selector: LabelSelector | undefined): string {
  const reqs: { key: string; text: string }[] = [];
  for (const [k, v] of Object.entries(selector?.matchLabels ?? {})) {
    reqs.push({ key: k, text: requirement(k, 'Equals', [v]) });
  }
  for (const e of selector?.matchExpressions ?? []) {
    reqs.push({ key: e.key, text: requirement(e.key, e.operator, e.values ?? []) });
  }
  // Go's sort.Sort is not stable; a stable sort gives the same order for distinct keys.
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const s = reqs.map((r) => r.text).join(',');
  return s === '' ? '<none>' : s;
}
