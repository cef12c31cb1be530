// A host's PersistentVolumeClaim volumes, decoded from their Docker labels alone (see
// claimVolumeLabels): the claim each is bound to, what it requested, when it was made. A
// volume without skiff's labels is not skiff's and is never reported. Pure.
import { LABELS } from '../model/labels.js';
import type { ObservedClaimVolume } from '../model/observed.js';

/** The fields of Docker's volume list that skiff reads. */
export interface VolumeSummary {
  Name: string;
  Labels?: Record<string, string> | null;
  CreatedAt?: string;
}

export function decodeClaimVolumes(host: string, volumes: readonly VolumeSummary[]): ObservedClaimVolume[] {
  const out: ObservedClaimVolume[] = [];
  for (const v of volumes) {
    const l = v.Labels ?? {};
    const claim = l[LABELS.claim];
    const namespace = l[LABELS.namespace];
    if (l[LABELS.managed] !== 'true' || !claim || !namespace) continue;
    const created = v.CreatedAt ? Date.parse(v.CreatedAt) : Number.NaN;
    out.push({
      host,
      volume: v.Name,
      app: l[LABELS.app] ?? '',
      namespace,
      claim,
      storage: l[LABELS.claimStorage] ?? '',
      accessModes: (l[LABELS.claimAccessModes] ?? '').split(',').filter((m) => m !== ''),
      ...(Number.isNaN(created) ? {} : { createdAt: created }),
    });
  }
  return out;
}
