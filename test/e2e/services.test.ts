// The Service data plane on the real 3-host testbed: web pods on all three hosts behind a
// NodePort Service, a busybox client on h1 reaching them by name, readiness from the real
// prober taking a pod out, graceful exclusion, a restarted daemon adopting the rules, and a
// deleted Service leaving no rule, chain or route on any host. Pods are made directly with the
// DockerRuntime; every container and rule made here is removed, and the suite checks it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClusterConfig } from '../../src/config/load-config.js';
import { serviceEnvVars, serviceHostAliases } from '../../src/controllers/services/pod-service-links.js';
import { resolveServices, type ServiceSource } from '../../src/controllers/services/resolve.js';
import { Prober } from '../../src/daemon/prober.js';
import type { DesiredContainer, DesiredPod } from '../../src/model/desired.js';
import type { Container, Service } from '../../src/model/k8s.js';
import type { Observed } from '../../src/model/observed.js';
import { systemClock } from '../../src/runtime/clock.js';
import { DockerRuntime } from '../../src/runtime/docker-runtime.js';
import { ServiceDataPlane } from '../../src/runtime/service-data-plane.js';
import { docker, eventually, hostExec, httpGet, testbed } from '../support/testbed.js';

const tb = testbed();
const NS = `svc${process.pid}`;
const APP = 'svc-e2e';
const web = tb.images.web.find((r) => r.endsWith(':1.0.0'))!;
const busybox = tb.images.busybox[0]!;
const hostNames = tb.hosts.map((h) => h.name);
const NODE_PORT = 30000 + (process.pid % 2000);

const webService: Service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web-service', namespace: NS, labels: {}, annotations: {} },
  source: { file: 'web.yaml', document: 0, line: 1, column: 1 },
  spec: {
    type: 'NodePort',
    selector: { app: 'web' },
    ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 'http', nodePort: NODE_PORT }],
    sessionAffinity: 'None',
  },
};
const sources: ServiceSource[] = [{ app: APP, service: webService }];

function podOf(
  name: string,
  image: string,
  labels: Record<string, string>,
  opts: {
    command?: string[];
    readiness?: boolean;
    env?: DesiredPod['containers'][number]['env'];
    extraHosts?: DesiredPod['extraHosts'];
  },
): DesiredPod {
  const ports = opts.readiness ? [{ name: 'http', containerPort: 8080, protocol: 'TCP' as const }] : [];
  const spec: Container = {
    name: 'main',
    image,
    imagePullPolicy: 'IfNotPresent',
    command: opts.command,
    env: [],
    envFrom: [],
    ports,
    resources: { requests: {}, limits: {} },
    volumeMounts: [],
    readinessProbe: opts.readiness
      ? {
          httpGet: { path: '/ready', port: 'http', scheme: 'HTTP' },
          initialDelaySeconds: 0,
          timeoutSeconds: 1,
          periodSeconds: 1,
          successThreshold: 1,
          failureThreshold: 1,
        }
      : undefined,
  };
  const container: DesiredContainer = {
    name: 'main',
    image,
    pullPolicy: 'IfNotPresent',
    command: opts.command,
    env: [{ name: 'VERSION', value: '1.0.0', secret: false }, ...(opts.env ?? [])],
    ports,
    limits: {},
    files: [],
    emptyDirs: [],
  };
  return {
    name,
    namespace: NS,
    app: APP,
    owner: { kind: 'Pod', name },
    templateHash: 'svc0e2e',
    commit: '0123456789abcdef0123456789abcdef01234567',
    labels,
    spec: {
      containers: [spec],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 1,
      nodeSelector: {},
      tolerations: [],
      volumes: [],
    },
    containers: [container],
    requests: { cpuMilli: 0, memoryBytes: 0 },
    hostPorts: [],
    extraHosts: opts.extraHosts ?? [],
  };
}

/** `n` HTTP/1.0 GETs from inside the client pod, one per line of output ("web 1.0.0 <pod>"). */
async function requestsFromClient(rt: DockerRuntime, target: string, n: number): Promise<string[]> {
  const script = `i=0; while [ $i -lt ${n} ]; do printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 ${target} 80 | tail -n 1; echo; i=$((i+1)); done`;
  const r = await rt.exec(
    { host: 'h1', namespace: NS, name: 'client' },
    'main',
    ['sh', '-c', script],
    60_000,
  );
  expect(r.exitCode, r.stderr).toBe(0);
  return r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

async function skiffRules(host: string): Promise<string> {
  const nat = await hostExec(host, ['iptables-save']);
  const route = await hostExec(host, ['ip', '-4', 'route', 'show', 'table', 'local', 'proto', '213']);
  return `${nat.stdout
    .split('\n')
    .filter((l) => l.includes('SKIFF'))
    .join('\n')}\n${route.stdout.trim()}`.trim();
}

describe('Service data plane on the testbed', () => {
  let rt: DockerRuntime;
  let prober: Prober;
  let plane: ServiceDataPlane;
  let clusterIP: string;

  const observe = async (): Promise<Observed> => {
    const o = await rt.observe();
    prober.sync(o);
    return prober.annotate(o);
  };
  const readyPods = async () =>
    (await observe()).pods
      .filter((p) => p.namespace === NS && p.probes.main?.ready)
      .map((p) => p.name)
      .sort();

  beforeAll(async () => {
    rt = new DockerRuntime(await loadClusterConfig(tb.config));
    prober = new Prober(rt, { clock: systemClock, onChange: () => {}, tickMs: 200 });
    plane = new ServiceDataPlane(rt, { serviceCIDR: tb.serviceCIDR, clock: systemClock });
    const resolved = resolveServices(sources, tb.serviceCIDR).services;
    clusterIP = resolved[0]!.clusterIP!;
    const placement: [string, string][] = [
      ['web-a', 'h2'],
      ['web-b', 'h3'],
      ['web-c', 'h1'],
    ];
    await Promise.all([
      ...placement.map(([name, host]) =>
        rt.createPod(host, podOf(name, web, { app: 'web' }, { readiness: true })),
      ),
      rt.createPod(
        'h1',
        podOf(
          'client',
          busybox,
          { app: 'client' },
          {
            command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'],
            env: serviceEnvVars(NS, resolved),
            extraHosts: serviceHostAliases(NS, resolved),
          },
        ),
      ),
    ]);
    await eventually(
      'three web pods Ready',
      async () => ((await readyPods()).length === 3 ? true : undefined),
      60_000,
    );
  }, 180_000);

  afterAll(async () => {
    prober?.stop();
    if (!rt) return;
    const o = await rt.observe();
    await plane.removeAll(o);
    await Promise.all(
      o.pods
        .filter((p) => p.namespace === NS)
        .map((p) => rt.deletePod({ host: p.host, namespace: NS, name: p.name }, 0)),
    );
    for (const h of hostNames) {
      expect(await docker(h, ['ps', '-aq', '--filter', `label=skiff.io/namespace=${NS}`])).toBe('');
      expect(await skiffRules(h)).toBe('');
    }
    await rt.close();
  }, 120_000);

  it('programs every host once, and a second sync changes nothing', async () => {
    const first = await plane.sync({ sources, observed: await observe() });
    expect(first.problems).toEqual([]);
    expect(first.hosts.map((h) => [h.host, h.outcome])).toEqual(hostNames.map((h) => [h, 'applied']));
    expect(first.endpoints[0]!.ports[0]!.endpoints.map((e) => e.pod).sort()).toEqual([
      'web-a',
      'web-b',
      'web-c',
    ]);
    const second = await plane.sync({ sources, observed: await observe() });
    expect(second.hosts.map((h) => h.outcome)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(second.hosts.map((h) => h.hash)).toEqual(first.hosts.map((h) => h.hash));
    expect(plane.views().services[0]).toMatchObject({ clusterIP, ports: [`80:${NODE_PORT}/TCP`] });
  });

  it('lets a pod on h1 reach web-service:80 by name; 300 requests reach every ready endpoint', async () => {
    const answers = await requestsFromClient(rt, 'web-service', 300);
    expect(answers).toHaveLength(300);
    const counts: Record<string, number> = {};
    for (const a of answers) counts[a] = (counts[a] ?? 0) + 1;
    expect(Object.keys(counts).sort()).toEqual(['web 1.0.0 web-a', 'web 1.0.0 web-b', 'web 1.0.0 web-c']);
    // Uniform spread: each of three endpoints gets well over a sixth of 300.
    for (const n of Object.values(counts)) expect(n).toBeGreaterThan(50);
  });

  it('resolves the qualified names and sets the service environment variables in the pod', async () => {
    const ref = { host: 'h1', namespace: NS, name: 'client' };
    const env = await rt.exec(ref, 'main', [
      'sh',
      '-c',
      'echo $WEB_SERVICE_SERVICE_HOST:$WEB_SERVICE_SERVICE_PORT_HTTP $WEB_SERVICE_PORT',
    ]);
    expect(env.stdout.trim()).toBe(`${clusterIP}:80 tcp://${clusterIP}:80`);
    for (const name of [`web-service.${NS}`, `web-service.${NS}.svc.cluster.local`, clusterIP]) {
      expect(await requestsFromClient(rt, name, 3)).toEqual(
        expect.arrayContaining([expect.stringMatching(/^web 1\.0\.0 web-[abc]$/)]),
      );
    }
  });

  it("lets the host itself reach the cluster IP (through skiff's route for the service range)", async () => {
    const answers = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const r = await hostExec('h1', [
        'sh',
        '-c',
        `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | busybox nc -w 2 ${clusterIP} 80 | tail -n 1`,
      ]);
      answers.add(r.stdout.trim());
    }
    expect([...answers].every((a) => /^web 1\.0\.0 web-[abc]$/.test(a))).toBe(true);
    expect(answers.size).toBeGreaterThan(1);
  });

  it('keeps a client on one endpoint with ClientIP session affinity', async () => {
    const sticky: ServiceSource[] = [
      { app: APP, service: { ...webService, spec: { ...webService.spec, sessionAffinity: 'ClientIP' } } },
    ];
    const synced = await plane.sync({ sources: sticky, observed: await observe() });
    expect(synced.hosts.map((h) => h.outcome)).toEqual(['applied', 'applied', 'applied']);
    const answers = await requestsFromClient(rt, 'web-service', 30);
    expect(answers).toHaveLength(30);
    expect(new Set(answers).size).toBe(1);
    await plane.sync({ sources, observed: await observe() });
  });

  it('answers the NodePort on all three hosts, from outside them', async () => {
    for (const h of tb.hosts) {
      const seen = new Set<string>();
      for (let i = 0; i < 12; i++) {
        const r = await httpGet(h.address, NODE_PORT, '/');
        expect(r.status).toBe(200);
        seen.add(r.body.trim());
      }
      expect(seen.size, `spread through ${h.name}`).toBeGreaterThan(1);
    }
  });

  it('takes a pod failing readiness out of every host once re-synced', async () => {
    const b = (await observe()).pods.find((p) => p.name === 'web-b' && p.namespace === NS)!;
    const touched = await rt.exec({ host: b.host, namespace: NS, name: 'web-b' }, 'main', [
      'touch',
      '/tmp/unready',
    ]);
    expect(touched.exitCode).toBe(0);
    await eventually(
      'web-b not ready',
      async () => (!(await readyPods()).includes('web-b') ? true : undefined),
      30_000,
    );
    const synced = await plane.sync({ sources, observed: await observe() });
    expect(synced.hosts.map((h) => h.outcome)).toEqual(['applied', 'applied', 'applied']);
    for (const h of hostNames) expect(await skiffRules(h)).not.toContain(`10.213.0.13:`);
    const answers = await requestsFromClient(rt, 'web-service', 60);
    expect(answers).toHaveLength(60);
    expect(answers.some((a) => a.endsWith('web-b'))).toBe(false);
  });

  it('drops pods about to be deleted from every host (exclude), before anything else happens to them', async () => {
    const synced = await plane.sync({
      sources,
      observed: await observe(),
      exclude: new Set([`h2/${NS}/web-a`]),
    });
    expect(synced.endpoints[0]!.ports[0]!.endpoints.map((e) => e.pod)).toEqual(['web-c']);
    const answers = await requestsFromClient(rt, 'web-service', 30);
    expect(new Set(answers)).toEqual(new Set(['web 1.0.0 web-c']));
  });

  it('is adopted by a restarted daemon without rewriting', async () => {
    const restarted = new ServiceDataPlane(rt, { serviceCIDR: tb.serviceCIDR, clock: systemClock });
    const synced = await restarted.sync({
      sources,
      observed: await observe(),
      exclude: new Set([`h2/${NS}/web-a`]),
    });
    expect(synced.hosts.map((h) => h.outcome)).toEqual(['unchanged', 'unchanged', 'unchanged']);
  });

  it('removes every rule, chain and route from every host when the Service is deleted', async () => {
    for (const h of hostNames) expect(await skiffRules(h)).toContain('SKIFF-SERVICES');
    const synced = await plane.sync({ sources: [], observed: await observe() });
    expect(synced.hosts.map((h) => h.outcome)).toEqual(['applied', 'applied', 'applied']);
    for (const h of hostNames) expect(await skiffRules(h)).toBe('');
    // Nothing answers the old address now: the testbed's blackhole route is back in charge.
    const r = await rt.exec({ host: 'h1', namespace: NS, name: 'client' }, 'main', [
      'sh',
      '-c',
      `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 1 ${clusterIP} 80; echo exit=$?`,
    ]);
    expect(r.stdout).not.toContain('web 1.0.0');
  });
});
