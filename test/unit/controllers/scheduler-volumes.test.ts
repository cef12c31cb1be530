// The volume filters: a bound claim pins its pods to its host (VolumeBinding's node affinity
// conflict), an unbound one is bound by its first placement in the batch (WaitForFirstConsumer),
// and a ReadWriteOncePod claim admits one pod (VolumeRestrictions).
import { describe, expect, it } from 'vitest';
import {
  buildHostViews,
  type ClaimBindings,
  type PodClaim,
  REASON_READ_WRITE_ONCE_POD,
  REASON_VOLUME_NODE_CONFLICT,
  type SchedulingPod,
  schedulePods,
} from '../../../src/controllers/scheduler.js';
import { unknownHostsReason } from '../../../src/controllers/scheduler-volumes.js';
import { host, podSpec, schedPod } from './fixtures.js';

const HOSTS = buildHostViews([host('h1'), host('h2'), host('h3')], []);
const RWO: PodClaim = { key: 'default/data', readWriteOncePod: false };
const RWOP: PodClaim = { key: 'default/data', readWriteOncePod: true };
const spec = podSpec();
const withClaim = (name: string, claim: PodClaim): SchedulingPod => ({
  ...schedPod(name, { spec, owner: 'db' }),
  claims: [claim],
});
const bindings = (hosts: Record<string, string>, users: Record<string, number> = {}): ClaimBindings => ({
  hosts,
  users,
});
const ALWAYS_LAST = () => 0.999;

describe('scheduler: PersistentVolumeClaims', () => {
  it.each(['h1', 'h2', 'h3'])('a claim bound to %s places every pod there, whatever the scores', (h) => {
    const pods = ['a', 'b', 'c'].map((n) => withClaim(n, RWO));
    const r = schedulePods(pods, HOSTS, { claims: bindings({ 'default/data': h }) });
    expect([...r.placements.values()]).toEqual([h, h, h]);
  });

  it('an unbound claim is bound by the first placement: the same pass puts the next pod beside it', () => {
    const pods = ['a', 'b'].map((n) => withClaim(n, RWO));
    const r = schedulePods(pods, HOSTS, { random: ALWAYS_LAST });
    const hosts = [...r.placements.values()];
    expect(hosts).toHaveLength(2);
    expect(hosts[0]).toBe(hosts[1]); // spreading alone would have put b elsewhere
  });

  it('a pod that cannot fit on its claim host stays Pending with the upstream reason', () => {
    const full = buildHostViews([host('h1', { cpuMilli: 100 }), host('h2'), host('h3')], []);
    const r = schedulePods([withClaim('a', RWO)], full, { claims: bindings({ 'default/data': 'h1' }) });
    expect(r.placements.size).toBe(0);
    expect(r.unschedulable[0]?.message).toBe(
      `0/3 hosts are available: 1 Insufficient cpu, 2 ${REASON_VOLUME_NODE_CONFLICT}.`,
    );
  });

  it('ReadWriteOncePod: a claim used by a pod admits no other (a rollout waits)', () => {
    const r = schedulePods([withClaim('b', RWOP)], HOSTS, {
      claims: bindings({ 'default/data': 'h2' }, { 'default/data': 1 }),
    });
    expect(r.unschedulable[0]?.message).toBe(`0/3 hosts are available: 3 ${REASON_READ_WRITE_ONCE_POD}.`);
  });

  it('ReadWriteOncePod: of two new pods in one pass, the second is refused', () => {
    const r = schedulePods([withClaim('a', RWOP), withClaim('b', RWOP)], HOSTS);
    expect(r.placements.size).toBe(1);
    expect(r.unschedulable.map((u) => u.pod.name)).toEqual(['b']);
  });

  it('ReadWriteOnce: several pods on the claim host are fine', () => {
    const r = schedulePods([withClaim('b', RWO)], HOSTS, {
      claims: bindings({ 'default/data': 'h2' }, { 'default/data': 1 }),
    });
    expect([...r.placements.values()]).toEqual(['h2']);
  });

  it('pods without claims are unaffected by bindings', () => {
    const r = schedulePods([schedPod('x', { spec })], HOSTS, { claims: bindings({ 'default/data': 'h2' }) });
    expect(r.placements.size).toBe(1);
  });

  it('a claim that looks unbound waits while a host was never read (its volume may be there)', () => {
    const unknown = { hosts: {}, users: {}, unknownHosts: ['h3'] };
    const r = schedulePods([withClaim('a', RWO)], HOSTS, { claims: unknown });
    expect(r.placements.size).toBe(0);
    expect(r.unschedulable[0]?.message).toBe(`0/3 hosts are available: 3 ${unknownHostsReason(['h3'])}.`);
    // A claim already bound elsewhere is not held back, nor is a pod without claims.
    const bound = schedulePods([withClaim('b', RWO), schedPod('x', { spec })], HOSTS, {
      claims: { ...unknown, hosts: { 'default/data': 'h1' } },
    });
    expect(bound.placements.size).toBe(2);
    expect(bound.unschedulable).toEqual([]);
    expect(bound.placements.get(`${withClaim('b', RWO).namespace}/b`)).toBe('h1');
  });
});
