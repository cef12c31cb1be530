import { describe, expect, it } from 'vitest';
import { decideOwnership, sharedResourceMessage } from '../../../src/reconcile/ownership.js';
import { emptyPassInputs, emptyPassMemory, reconcilePass } from '../../../src/reconcile/pass.js';
import { FakeWorld, host, objectsFrom } from './fake-world.js';

const deployment = (name: string, image = 'registry.local/web:1') => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name} }
spec:
  replicas: 2
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      containers: [{ name: c, image: ${image} }]
`;

const claimant = (name: string, yaml: string) => ({ name, objects: objectsFrom(yaml) });

/** The pods app `app` would have created for its objects. */
function livePods(app: string, yaml: string) {
  const world = new FakeWorld();
  const r = reconcilePass({
    apps: [{ name: app, commit: 'c1', objects: objectsFrom(yaml), prune: true }],
    frozenApps: [],
    observed: { at: world.now, hosts: [host('h1')], pods: [] },
    memory: emptyPassMemory(),
    now: world.now,
    random: Math.random,
    options: { hostGracePeriodMs: 40_000 },
    inputs: emptyPassInputs(),
  });
  world.apply(r.actions);
  return world.pods;
}

describe('decideOwnership', () => {
  const a = claimant('a', deployment('web'));
  const b = claimant('b', `${deployment('web', 'registry.local/other:2')}---${deployment('api')}`);

  it('with no live pods, the first app in skiff.yaml order keeps the object; the second is refused', () => {
    const refused = decideOwnership([a, b], []);
    expect([...refused.keys()]).toEqual(['b']);
    expect(refused.get('b')).toEqual([{ kind: 'Deployment', namespace: 'default', name: 'web', owner: 'a' }]);
    expect(decideOwnership([b, a], []).get('a')?.[0]?.owner).toBe('b');
  });

  it('the app whose labels are on the live pods keeps the object, whatever the order (stable across restarts)', () => {
    const pods = livePods('b', deployment('web'));
    expect([...decideOwnership([a, b], pods).keys()]).toEqual(['a']);
    expect([...decideOwnership([b, a], pods).keys()]).toEqual(['a']);
  });

  it('apps declaring different objects, or one app declaring its own, are not refused', () => {
    expect(decideOwnership([a, claimant('c', deployment('api'))], []).size).toBe(0);
    expect(decideOwnership([a], livePods('a', deployment('web'))).size).toBe(0);
  });

  it('other kinds conflict too (a Service, a ConfigMap), in the same namespace only', () => {
    const cm = (ns: string) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: cfg, namespace: ${ns} }\ndata: { k: v }\n`;
    expect(decideOwnership([claimant('a', cm('x')), claimant('b', cm('y'))], []).size).toBe(0);
    expect(decideOwnership([claimant('a', cm('x')), claimant('b', cm('x'))], []).get('b')?.[0]).toMatchObject(
      {
        kind: 'ConfigMap',
        owner: 'a',
      },
    );
  });

  it('says which object and who owns it', () => {
    const msg = sharedResourceMessage('0123456789', decideOwnership([a, b], []).get('b')!);
    expect(msg).toBe(
      'commit 0123456 refused whole: deployment/web (namespace default) is managed by app "a"; nothing of it is applied until the object is removed from one of the apps',
    );
  });
});

describe('decideOwnership without pods of the object', () => {
  it('a running app keeps a shared Service against a newcomer listed first', () => {
    const svc =
      'apiVersion: v1\nkind: Service\nmetadata: { name: web }\nspec:\n  selector: { app: web }\n  ports: [{ port: 80 }]\n';
    const running = claimant('running', `${deployment('web')}---\n${svc}`);
    const newcomer = claimant('newcomer', svc);
    const pods = livePods('running', deployment('web'));
    expect([...decideOwnership([newcomer, running], pods).keys()]).toEqual(['newcomer']);
  });
});
