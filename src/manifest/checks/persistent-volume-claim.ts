// Checks of a PersistentVolumeClaim (ValidatePersistentVolumeClaimSpec upstream) plus what
// skiff's one storage class can provide: a Docker local volume on one host, as the
// local-path provisioner provides it (which refuses every access mode but ReadWriteOnce and
// ReadWriteOncePod, and block volumes). Pure.
import type { PersistentVolumeClaim } from '../../model/k8s.js';
import { tryParseQuantity } from '../quantity.js';
import type { Collector } from './collector.js';

const ONE_HOST = 'a claim is a Docker local volume, which lives on one host (as with local-path)';

export function checkPersistentVolumeClaim(c: Collector, pvc: PersistentVolumeClaim): void {
  const { accessModes, storage, storageClassName, volumeMode } = pvc.spec;
  if (accessModes.length === 0)
    c.error(['spec', 'accessModes'], 'semantic.pvc', 'at least 1 access mode is required');
  accessModes.forEach((m, i) => {
    if (m === 'ReadWriteMany' || m === 'ReadOnlyMany')
      c.error(
        ['spec', 'accessModes', i],
        'semantic.pvc',
        `access mode ${m} is not supported by skiff: ${ONE_HOST}; use ReadWriteOnce or ReadWriteOncePod`,
      );
  });
  if (accessModes.includes('ReadWriteOncePod') && accessModes.length > 1)
    c.error(['spec', 'accessModes'], 'semantic.pvc', 'may not use ReadWriteOncePod with other access modes');
  const q = tryParseQuantity(storage);
  if (!q)
    c.error(
      ['spec', 'resources', 'requests', 'storage'],
      'semantic.quantity',
      `"${storage}" is not a valid quantity`,
    );
  else if (q.sign() <= 0)
    c.error(['spec', 'resources', 'requests', 'storage'], 'semantic.pvc', 'must be greater than zero');
  if (volumeMode === 'Block')
    c.error(
      ['spec', 'volumeMode'],
      'semantic.pvc',
      'volumeMode Block is not supported by skiff: a Docker volume is a filesystem; use Filesystem',
    );
  if (storageClassName !== undefined)
    c.warn(
      ['spec', 'storageClassName'],
      'semantic.pvc-class',
      `storageClassName "${storageClassName}" is treated as skiff's only class: a Docker local volume created on the host where the claim's first pod runs`,
    );
}
