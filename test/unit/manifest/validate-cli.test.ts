// `skiff validate` end to end as a user runs it (node bin/skiff.js): output formats, exit
// codes, folder walking and symlinks leaving the repository. Only local temp folders.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const BIN = path.join(ROOT, 'bin/skiff.js');

function skiff(args: string[], cwd = ROOT): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 1) : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });
}

const BROKEN_POD = `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: nginx:1.25
      resources:
        requests:
          cpu: "250mi"
      envFrom:
        - configMapRef:
            name: missing-config
`;

let dir: string;
let outside: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'skiff-validate-'));
  outside = await mkdtemp(path.join(tmpdir(), 'skiff-outside-'));
  await mkdir(path.join(dir, 'repo/deploy'), { recursive: true });
  await writeFile(path.join(dir, 'repo/deploy/pod.yaml'), BROKEN_POD);
  await writeFile(path.join(dir, 'repo/deploy/notes.txt'), 'not a manifest');
  await writeFile(
    path.join(outside, 'secret.yaml'),
    'apiVersion: v1\nkind: Secret\nmetadata:\n  name: stolen\n',
  );
  await mkdir(path.join(dir, 'escape'), { recursive: true });
  await symlink(path.join(outside, 'secret.yaml'), path.join(dir, 'escape/link.yaml'));
  await symlink(outside, path.join(dir, 'escape/linked-dir'));
}, 30_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

describe('skiff validate', () => {
  // examples/repo itself: test/unit/examples/example-repo.test.ts.
  it('prints every finding as file:line:column path: message [code] and exits 1', async () => {
    const r = await skiff(['validate', 'repo'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')).toEqual([
      'repo/deploy/pod.yaml:11:11 spec.containers[0].resources.requests.cpu: "250mi" is not a valid quantity [semantic.quantity]',
      'repo/deploy/pod.yaml:14:13 spec.containers[0].envFrom[0].configMapRef.name: pod/web refers to configmap/missing-config in namespace default, which is not in this bundle (mark the reference optional: true if that is intended) [ref.missing-configmap]',
      'invalid: 1 file, 0 objects, 2 errors, 0 warnings',
      '',
    ]);
  }, 60_000);

  it('-o json prints findings and a summary', async () => {
    const r = await skiff(['validate', '-o', 'json', '--allow-missing-refs', 'repo'], dir);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.summary).toEqual({ files: 1, objects: 0, errors: 1, warnings: 1, valid: false });
    expect(out.findings[1]).toEqual({
      file: 'repo/deploy/pod.yaml',
      line: 14,
      column: 13,
      document: 0,
      path: 'spec.containers[0].envFrom[0].configMapRef.name',
      severity: 'warning',
      code: 'ref.missing-configmap',
      message:
        'pod/web refers to configmap/missing-config in namespace default, which is not in this bundle (mark the reference optional: true if that is intended)',
    });
  }, 60_000);

  it('-o github prints workflow annotations', async () => {
    const r = await skiff(['validate', '-o', 'github', 'repo/deploy/pod.yaml'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')[0]).toBe(
      '::error file=repo/deploy/pod.yaml,line=11,col=11,title=semantic.quantity::spec.containers[0].resources.requests.cpu: "250mi" is not a valid quantity',
    );
  }, 60_000);

  it('refuses symlinks that leave the given folder', async () => {
    const r = await skiff(['validate', '-o', 'json', 'escape'], dir);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.findings.map((f: { file: string; code: string }) => `${f.file} ${f.code}`)).toEqual([
      'escape/link.yaml file.symlink-escape',
      'escape/linked-dir file.symlink-escape',
    ]);
    expect(r.stdout).not.toContain('stolen');
  }, 60_000);

  it.each([
    [['validate', 'no/such/path'], /path "no\/such\/path" does not exist/],
    [['validate', '-o', 'yaml', 'repo'], /argument 'yaml' is invalid/],
  ])(
    'wrong usage %j exits 2',
    async (args, message) => {
      const r = await skiff(args, dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    },
    60_000,
  );
});
