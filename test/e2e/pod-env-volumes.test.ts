// Issue 12, env and volumes with Kubernetes' meaning, end to end on the testbed through the real
// git server and daemon: one pod reads resourceFieldRef and fieldRef values (its pod IP among
// them, known only once the infra container runs) from its environment, mounts a projected
// volume (configMap items with a mode, a secret, downward API labels), a configMap key through
// subPath, a Memory emptyDir with a sizeLimit (a tmpfs in /proc/mounts, shared by its two
// containers) and a hostPath DirectoryOrCreate (made on the host); all asserted from inside
// the container. A hostPath of type Directory that does not exist keeps a second pod from
// starting with the kubelet's message. Everything made here is removed at the end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObservedPod } from '../../src/model/observed.js';
import type { DockerRuntime } from '../../src/runtime/docker-runtime.js';
import { type GitopsApp, startGitopsApp } from '../support/gitops-app.js';
import { eventually } from '../support/testbed.js';

const APP = 'e2e-podenv';
const NS = 'podenv';
const HOST_DIR = `/tmp/skiff-e2e-podenv-${process.pid}`;
const image = '10.213.0.1:5000/skiff/web:1.0.0';

const manifests = `apiVersion: v1
kind: ConfigMap
metadata: { name: cfg, namespace: ${NS} }
data: { app.conf: "mode=demo", other: "two" }
---
apiVersion: v1
kind: Secret
metadata: { name: sec, namespace: ${NS} }
stringData: { token: s3cret }
---
apiVersion: v1
kind: Pod
metadata:
  name: envvol
  namespace: ${NS}
  labels: { app: envvol, tier: web }
  annotations: { owner: team-a }
spec:
  containers:
    - name: web
      image: ${image}
      resources:
        requests: { cpu: 100m, memory: 32Mi }
        limits: { cpu: 1500m, memory: 64Mi }
      env:
        - { name: POD_NAME, valueFrom: { fieldRef: { fieldPath: metadata.name } } }
        - { name: POD_NS, valueFrom: { fieldRef: { fieldPath: metadata.namespace } } }
        - { name: NODE, valueFrom: { fieldRef: { fieldPath: spec.nodeName } } }
        - { name: OWNER, valueFrom: { fieldRef: { fieldPath: "metadata.annotations['owner']" } } }
        - { name: POD_IP, valueFrom: { fieldRef: { fieldPath: status.podIP } } }
        - { name: URL, value: "http://$(POD_IP):8080/$(POD_NAME)" }
        - { name: CPU_M, valueFrom: { resourceFieldRef: { resource: limits.cpu, divisor: 1m } } }
        - { name: CPU, valueFrom: { resourceFieldRef: { resource: limits.cpu } } }
        - { name: MEM_MI, valueFrom: { resourceFieldRef: { resource: limits.memory, divisor: 1Mi } } }
      volumeMounts:
        - { name: proj, mountPath: /etc/proj }
        - { name: cfg, mountPath: /etc/app.conf, subPath: app.conf }
        - { name: mem, mountPath: /mem }
        - { name: host, mountPath: /host }
    - name: side
      image: ${image}
      args: ["sh", "-c", "echo from-side > /shared/hello; exec sleep 3600"]
      volumeMounts:
        - { name: mem, mountPath: /shared }
  volumes:
    - name: proj
      projected:
        sources:
          - configMap: { name: cfg, items: [{ key: other, path: conf/other.txt, mode: 256 }] }
          - secret: { name: sec }
          - downwardAPI: { items: [{ path: labels, fieldRef: { fieldPath: metadata.labels } }] }
    - name: cfg
      configMap: { name: cfg }
    - name: mem
      emptyDir: { medium: Memory, sizeLimit: 16Mi }
    - name: host
      hostPath: { path: ${HOST_DIR}/made, type: DirectoryOrCreate }
`;

const missingDirPod = `apiVersion: v1
kind: Pod
metadata: { name: nodir, namespace: ${NS} }
spec:
  containers:
    - name: web
      image: ${image}
      volumeMounts: [{ name: d, mountPath: /d }]
  volumes:
    - name: d
      hostPath: { path: ${HOST_DIR}/absent, type: Directory }
`;

let gitops: GitopsApp;
let runtime: DockerRuntime;
let pod: ObservedPod;

async function sh(container: string, script: string): Promise<string> {
  const r = await runtime.exec({ host: pod.host, namespace: NS, name: pod.name }, container, [
    'sh',
    '-c',
    script,
  ]);
  expect(r.exitCode, r.stderr).toBe(0);
  return r.stdout.trim();
}

beforeAll(async () => {
  gitops = await startGitopsApp({ app: APP, files: { 'app.yaml': manifests } });
  runtime = gitops.runtime;
  pod = await eventually(
    'pod/envvol running',
    async () => {
      const p = (await gitops.pods()).find((x) => x.name === 'envvol');
      return p?.containers.length === 2 && p.containers.every((c) => c.state === 'running') ? p : undefined;
    },
    45_000,
  );
}, 60_000);

afterAll(async () => {
  await gitops?.close();
  if (pod) await runtime.execOnHost(pod.host, `rm -rf ${HOST_DIR}`).catch(() => {});
}, 60_000);

describe('pod env and volumes (issue 12)', () => {
  it('fills env from the downward API and the container resources', async () => {
    const env = Object.fromEntries(
      (await sh('web', 'env'))
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(env).toMatchObject({
      POD_NAME: 'envvol',
      POD_NS: NS,
      NODE: pod.host,
      OWNER: 'team-a',
      CPU_M: '1500',
      CPU: '2',
      MEM_MI: '64',
    });
    expect(env.POD_IP).toBe(pod.ip);
    expect(env.POD_IP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(env.URL).toBe(`http://${pod.ip}:8080/envvol`);
  });

  it('mounts projected, subPath and Memory emptyDir volumes with their contents and modes', async () => {
    expect(await sh('web', 'cat /etc/proj/conf/other.txt; echo; stat -c %a /etc/proj/conf/other.txt')).toBe(
      'two\n400',
    );
    expect(await sh('web', 'cat /etc/proj/token; echo; stat -c %a /etc/proj/token')).toBe('s3cret\n644');
    expect(await sh('web', 'cat /etc/proj/labels')).toBe('app="envvol"\ntier="web"');
    expect(await sh('web', 'cat /etc/app.conf')).toBe('mode=demo');
    const mounts = await sh('web', 'grep " /mem " /proc/mounts');
    expect(mounts).toMatch(/^\S+ \/mem tmpfs /);
    expect(mounts).toContain('size=16384k');
    // The other container wrote into the same tmpfs.
    expect(await sh('web', 'cat /mem/hello')).toBe('from-side');
  });

  it('makes a DirectoryOrCreate hostPath on the host, shared with the container', async () => {
    await sh('web', 'echo in-container > /host/f');
    const r = await runtime.execOnHost(pod.host, `stat -c %a ${HOST_DIR}/made && cat ${HOST_DIR}/made/f`);
    expect(r.stdout.trim()).toBe('755\nin-container');
  });

  it("keeps a pod whose hostPath Directory is missing from starting, with the kubelet's message", async () => {
    await gitops.push(
      { 'app.yaml': manifests, 'nodir.yaml': missingDirPod },
      'A pod with a missing hostPath',
    );
    // The create fails before any container exists; each pass retries it, as the kubelet does.
    const message = await eventually(
      'pod/nodir refused by the hostPath check',
      async () =>
        gitops.daemon.inst.reconciler.last?.results
          .map((r) => r.error?.message ?? '')
          .find((m) => m.includes('nodir') && m.includes('hostPath type check failed')),
      30_000,
    );
    expect(message).toContain(
      `MountVolume.SetUp failed for volume "d" : hostPath type check failed: ${HOST_DIR}/absent is not a directory`,
    );
    expect((await gitops.pods()).some((p) => p.name === 'nodir' && p.containers.length > 0)).toBe(false);
  });
});
