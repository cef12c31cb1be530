// Checks of a ConfigMap (ValidateConfigMap upstream): keys, binaryData as base64, no key in
// both data and binaryData, total size. Pure.
import type { ConfigMap } from '../../model/k8s.js';
import type { Collector } from './collector.js';
import { base64Size, checkDataKeys, checkDataSize, isBase64, TEXT_ENCODER } from './config-data.js';

export function checkConfigMap(c: Collector, cm: ConfigMap): void {
  const { data, binaryData } = cm;
  checkDataKeys(c, Object.keys(data), 'data');
  checkDataKeys(c, Object.keys(binaryData), 'binaryData');
  let size = 0;
  for (const [k, v] of Object.entries(data)) size += k.length + TEXT_ENCODER.encode(v).length;
  for (const [k, v] of Object.entries(binaryData)) {
    if (Object.hasOwn(data, k))
      c.error(['binaryData', k], 'semantic.config-key', `key "${k}" is in both data and binaryData`);
    if (!isBase64(v))
      c.error(['binaryData', k], 'semantic.base64', `binaryData key "${k}" is not valid base64`);
    else size += k.length + base64Size(v);
  }
  checkDataSize(c, size);
}
