// Checks of a pod's init containers (validateInitContainers upstream, pkg/apis/core/validation):
// each is a container like the others (checkContainer), and a regular one (no restartPolicy:
// Always) runs to completion, so lifecycle hooks and probes are forbidden on it; a sidecar
// (restartPolicy: Always, KEP-753) keeps running and may have them. Names are unique across
// containers and initContainers: list-maps.ts. Pure.
import type { Container } from '../../model/k8s.js';
import type { Collector, P } from './collector.js';
import { checkContainer } from './container.js';

const RUN_TO_COMPLETION_ONLY = ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'] as const;

export function checkInitContainers(
  c: Collector,
  containers: readonly Container[],
  raw: Record<string, unknown>[],
  path: P,
  volumes: ReadonlySet<string>,
): void {
  containers.forEach((ctr, i) => {
    const at = [...path, 'initContainers', i];
    checkContainer(c, ctr, raw[i] ?? {}, at, volumes);
    if (ctr.restartPolicy === 'Always') return;
    for (const field of RUN_TO_COMPLETION_ONLY)
      if (ctr[field] !== undefined)
        c.error(
          [...at, field],
          'semantic.init-container',
          'may not be set for init containers without restartPolicy=Always',
        );
  });
}
