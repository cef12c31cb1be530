// Checks of a Secret (ValidateSecret upstream): keys, data as base64 (stringData wins for a
// key in both, as on the API server), total size, the keys its type requires. Never quotes
// a value. Pure.
import type { Secret } from '../../model/k8s.js';
import type { Collector } from './collector.js';
import { base64Size, checkDataKeys, checkDataSize, isBase64, TEXT_ENCODER } from './config-data.js';

const SECRET_TYPE_KEYS: Record<string, string[]> = {
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
};

/** `raw` is the Secret as written: defaulting merges stringData into data. */
function checkSecretData(c: Collector, raw: Record<string, unknown>): void {
  const written = (raw.data ?? {}) as Record<string, string>;
  const stringData = (raw.stringData ?? {}) as Record<string, string>;
  checkDataKeys(c, Object.keys(written), 'data');
  checkDataKeys(c, Object.keys(stringData), 'stringData');
  let size = 0;
  for (const [k, v] of Object.entries(written)) {
    if (Object.hasOwn(stringData, k)) continue; // stringData wins, as on the API server
    if (!isBase64(v))
      c.error(
        ['data', k],
        'semantic.base64',
        `data key "${k}" is not valid base64 (use stringData for plain text)`,
      );
    else size += k.length + base64Size(v);
  }
  for (const [k, v] of Object.entries(stringData)) size += k.length + TEXT_ENCODER.encode(v).length;
  checkDataSize(c, size);
}

function checkSecretType(c: Collector, s: Secret): void {
  for (const key of SECRET_TYPE_KEYS[s.type] ?? [])
    if (!Object.hasOwn(s.data, key))
      c.error(['data'], 'semantic.secret-type', `a Secret of type ${s.type} needs the key "${key}"`);
  if (s.type === 'kubernetes.io/service-account-token')
    c.error(
      ['type'],
      'unsupported.value',
      'service account token Secrets are filled by the Kubernetes API server; skiff has none',
    );
}

export function checkSecret(c: Collector, s: Secret, raw: Record<string, unknown>): void {
  checkSecretData(c, raw);
  checkSecretType(c, s);
}
