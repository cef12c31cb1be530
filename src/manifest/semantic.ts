// Semantic checks of one object beyond its schema, following Kubernetes' own validation
// (pkg/apis/core/validation, pkg/apis/apps/validation, pkg/apis/autoscaling/validation)
// plus skiff's limits. Input: the defaulted object and its raw value (for fields that
// defaulting normalises). Output: findings with field paths, in the order they are found.
// This file dispatches by kind; each kind's checks live in checks/<kind>.ts. Pure; never
// quotes a Secret value.
import type { KubeObject } from '../model/k8s.js';
import { Collector, type Finding } from './checks/collector.js';
import { checkConfigMap } from './checks/config-map.js';
import { checkDeployment } from './checks/deployment.js';
import { checkHpa } from './checks/hpa.js';
import { checkListMaps } from './checks/list-maps.js';
import { checkObjectMeta } from './checks/metadata.js';
import { checkPersistentVolumeClaim } from './checks/persistent-volume-claim.js';
import { checkPod } from './checks/pod.js';
import { checkPodDisruptionBudget } from './checks/pod-disruption-budget.js';
import { checkSecret } from './checks/secret.js';
import { checkService } from './checks/service.js';

export type { Finding } from './checks/collector.js';

/** Every per-object check; `raw` is the document's value as written. */
export function checkObject(obj: KubeObject, raw: Record<string, unknown>): Finding[] {
  const c = new Collector();
  checkObjectMeta(c, obj);
  switch (obj.kind) {
    case 'Pod':
      checkPod(c, obj, raw);
      break;
    case 'Deployment':
      checkDeployment(c, obj, raw);
      break;
    case 'Service':
      checkService(c, obj, raw);
      break;
    case 'ConfigMap':
      checkConfigMap(c, obj);
      break;
    case 'Secret':
      checkSecret(c, obj, raw);
      break;
    case 'HorizontalPodAutoscaler':
      checkHpa(c, obj, raw);
      break;
    case 'PersistentVolumeClaim':
      checkPersistentVolumeClaim(c, obj);
      break;
    case 'PodDisruptionBudget':
      checkPodDisruptionBudget(c, obj);
      break;
  }
  checkListMaps(c, obj.kind, raw);
  return c.findings;
}
