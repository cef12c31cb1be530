// Issue 12, securityContext end to end on the real testbed, through Git and the real daemon:
// a hardened pod (runAsUser 1000, runAsGroup 3000, read-only root, capabilities drop ALL,
// no privilege escalation, an emptyDir for scratch) is checked from inside its container
// (`id`, a write to / and to the emptyDir, CapEff of PID 1); a pod with runAsNonRoot over the
// busybox image (which runs as root) shows the kubelet's CreateContainerConfigError and runs
// no container. Both pods come from one commit; the file runs in well under a minute.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObservedPod } from '../../src/model/observed.js';
import { type GitopsApp, startGitopsApp } from '../support/gitops-app.js';
import { eventually } from '../support/testbed.js';

const APP = 'e2e-secctx';
const NS = 'secctx';
const BUSYBOX = '10.213.0.1:5000/skiff/busybox:1.36';
const SLEEP = ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'];

const pod = (name: string, podSecurity: string, containerSecurity: string, extra = '') => `apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: ${NS} }
spec:
  terminationGracePeriodSeconds: 1
  securityContext: ${podSecurity}
  containers:
    - name: main
      image: ${BUSYBOX}
      command: ${JSON.stringify(SLEEP)}
      securityContext: ${containerSecurity}
      resources: { requests: { cpu: 10m, memory: 8Mi } }
${extra}`;

const HARDENED = pod(
  'hardened',
  '{ runAsUser: 1000, runAsGroup: 3000 }',
  '{ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: [ALL] } }',
  `      volumeMounts: [{ name: scratch, mountPath: /scratch }]
  volumes: [{ name: scratch, emptyDir: {} }]
`,
);
const ROOT_IMAGE = pod('nonroot', '{ runAsNonRoot: true }', '{}');

let gitops: GitopsApp;

const podNamed = async (name: string): Promise<ObservedPod | undefined> =>
  (await gitops.pods()).find((p) => p.name === name);

async function execIn(name: string, ...command: string[]) {
  const p = (await podNamed(name))!;
  return gitops.runtime.exec({ host: p.host, namespace: NS, name }, 'main', command);
}

beforeAll(async () => {
  gitops = await startGitopsApp({
    app: APP,
    files: { 'hardened.yaml': HARDENED, 'nonroot.yaml': ROOT_IMAGE },
  });
  await eventually(
    'the hardened pod running',
    async () => ((await podNamed('hardened'))?.containers[0]?.state === 'running' ? true : undefined),
    40_000,
  );
}, 60_000);

afterAll(async () => {
  await gitops?.close();
}, 60_000);

describe('securityContext on Docker', () => {
  it('runs as runAsUser 1000 / runAsGroup 3000', async () => {
    expect((await execIn('hardened', 'id', '-u')).stdout.trim()).toBe('1000');
    expect((await execIn('hardened', 'id', '-g')).stdout.trim()).toBe('3000');
  });

  it('readOnlyRootFilesystem: a write to / fails, the emptyDir is writable', async () => {
    expect((await execIn('hardened', 'touch', '/probe')).exitCode).not.toBe(0);
    expect((await execIn('hardened', 'touch', '/scratch/ok')).exitCode).toBe(0);
  });

  it('capabilities drop ALL: PID 1 has no effective capability', async () => {
    const status = (await execIn('hardened', 'cat', '/proc/1/status')).stdout;
    expect(status).toMatch(/^CapEff:\s+0000000000000000$/m);
  });

  it('runAsNonRoot over a root image: CreateContainerConfigError, no container runs', async () => {
    const view = await eventually(
      'the nonroot pod shown CreateContainerConfigError',
      async () => {
        const v = gitops.daemon.inst.reconciler.view?.pods.find((p) => p.app === APP && p.name === 'nonroot');
        return v?.status === 'CreateContainerConfigError' ? v : undefined;
      },
      20_000,
    );
    expect(view.phase).toBe('Pending');
    const observed = await podNamed('nonroot');
    expect(observed?.containers.map((c) => c.state)).toEqual(['created']);
    expect(observed?.containers[0]?.labels['skiff.io/waiting-message']).toBe(
      'container has runAsNonRoot and image will run as root (pod: "nonroot_secctx", container: main)',
    );
  });
});
