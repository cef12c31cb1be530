// `skiff delete pvc`: removes only a Released claim's volume; refuses (with a hint) a claim
// still in Git or used by a pod, and an unknown one.
import { describe, expect, it } from 'vitest';
import { deleteClaim } from '../../../src/cli/commands/delete.js';
import type { ClaimView } from '../../../src/model/views.js';

const claim = (over: Partial<ClaimView> = {}): ClaimView => ({
  namespace: 'default',
  name: 'data',
  app: 'demo',
  status: 'Released',
  volume: 'skiff-pvc_default_data',
  host: 'h2',
  capacity: '1Gi',
  accessModes: ['ReadWriteOnce'],
  storageClass: '',
  volumeMode: 'Filesystem',
  labels: {},
  annotations: {},
  usedBy: [],
  inGit: false,
  ...over,
});

function runtime() {
  const removed: string[] = [];
  return { removed, removeClaimVolume: async (h: string, v: string) => void removed.push(`${h}/${v}`) };
}

describe('skiff delete pvc', () => {
  it('removes a Released claim volume on its host', async () => {
    const rt = runtime();
    const out = await deleteClaim({ claims: [claim()] }, rt, 'default', 'data');
    expect(rt.removed).toEqual(['h2/skiff-pvc_default_data']);
    expect(out).toBe('persistentvolumeclaim "data" deleted (volume skiff-pvc_default_data on h2)\n');
  });

  it.each([
    [
      'still in Git',
      claim({ status: 'Bound', inGit: true }),
      'pvc.in-git',
      /still in Git/,
      /remove the PersistentVolumeClaim from Git/,
    ],
    ['used by a pod', claim({ usedBy: ['db-1'] }), 'pvc.in-use', /used by pod db-1/, /remove the pods/],
    ['unknown', claim({ name: 'other' }), 'not-found', /not found in namespace default/, /skiff get pvc -A/],
  ])('refuses a claim %s and removes nothing', async (_n, c, code, message, hint) => {
    const rt = runtime();
    const err = await deleteClaim({ claims: [c] }, rt, 'default', 'data').catch((e: unknown) => e);
    expect(err).toMatchObject({ code });
    expect((err as Error).message).toMatch(message);
    expect((err as { hint?: string }).hint).toMatch(hint);
    expect(rt.removed).toEqual([]);
  });
});
