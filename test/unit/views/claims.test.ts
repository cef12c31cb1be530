// `skiff get pvc` and `skiff describe pvc/NAME`: kubectl's columns and describe layout.
import { describe, expect, it } from 'vitest';
import { describeClaim, renderClaims } from '../../../src/cli/views/claims.js';
import type { ClaimView } from '../../../src/model/views.js';

const NOW = 10 * 60_000 + 1;
const bound: ClaimView = {
  namespace: 'default',
  name: 'data',
  app: 'demo',
  status: 'Bound',
  volume: 'skiff-pvc_default_data',
  host: 'h2',
  capacity: '1Gi',
  accessModes: ['ReadWriteOnce', 'ReadWriteOncePod'],
  storageClass: '',
  volumeMode: 'Filesystem',
  labels: { tier: 'db' },
  annotations: {},
  usedBy: ['db-abc', 'db-def'],
  inGit: true,
  createdAt: 1,
};
const pending: ClaimView = { ...bound, name: 'logs', status: 'Pending', usedBy: [], storageClass: 'fast' };
delete pending.volume;
delete pending.host;
delete pending.createdAt;

describe('get pvc', () => {
  it('prints kubectl columns, blank volume/capacity/modes while Pending', () => {
    expect(renderClaims([pending, bound], { now: NOW })).toBe(
      [
        'NAME   STATUS    VOLUME                   CAPACITY   ACCESS MODES   STORAGECLASS   AGE',
        'data   Bound     skiff-pvc_default_data   1Gi        RWO,RWOP       docker-local   10m',
        'logs   Pending                                                      fast           <unknown>',
        '',
      ].join('\n'),
    );
  });

  it('adds HOST and USED BY in -o wide', () => {
    const out = renderClaims([bound], { now: NOW, wide: true });
    expect(out.split('\n')[0]).toMatch(/AGE\s+HOST\s+USED BY$/);
    expect(out.split('\n')[1]).toMatch(/10m\s+h2\s+db-abc,db-def$/);
  });

  it('says so when there are none', () => {
    expect(renderClaims([], { now: NOW })).toBe('No resources found.\n');
  });
});

describe('describe pvc', () => {
  it('shows the claim as kubectl describe does, with its host and users', () => {
    const out = describeClaim(bound, [], { now: NOW });
    for (const line of [
      /^Name:\s+data$/m,
      /^Namespace:\s+default$/m,
      /^StorageClass:\s+docker-local$/m,
      /^Status:\s+Bound$/m,
      /^Volume:\s+skiff-pvc_default_data$/m,
      /^Labels:\s+tier=db$/m,
      /^Annotations:\s+<none>$/m,
      /^Capacity:\s+1Gi$/m,
      /^Access Modes:\s+RWO,RWOP$/m,
      /^VolumeMode:\s+Filesystem$/m,
      /^Host:\s+h2$/m,
      /^Used By:\s+db-abc\n\s+db-def$/m,
      /^Events:\s+<none>$/m,
    ])
      expect(out).toMatch(line);
  });

  it('tells how to delete a Released claim', () => {
    const out = describeClaim({ ...bound, status: 'Released', inGit: false, usedBy: [] }, [], { now: NOW });
    expect(out).toMatch(/skiff delete pvc data -n default/);
  });
});
