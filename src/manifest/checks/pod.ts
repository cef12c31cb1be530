// Checks of a Pod: its metadata is checked for every kind; here, its pod spec. Pure.
import type { Pod } from '../../model/k8s.js';
import type { Collector } from './collector.js';
import { checkPodSpec } from './pod-spec.js';

export function checkPod(c: Collector, pod: Pod, raw: Record<string, unknown>): void {
  checkPodSpec(c, pod.spec, raw.spec as Record<string, unknown>, ['spec']);
}
