// The testbed's image registry: a real CNCF distribution registry (`docker-registry serve`)
// on the bridge address, and a small client that pushes the offline-built images through the
// Registry HTTP API v2 (no Docker engine needed in the root namespace).

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BuiltImage } from './images.js';
import { REGISTRY, REGISTRY_DIR } from './layout.js';
import { isAlive, spawnDaemon } from './processes.js';
import { TestbedError, waitFor } from './shell.js';

export const REGISTRY_CONFIG_FILE = join(REGISTRY_DIR, 'config.yml');
const REGISTRY_LOG = join(REGISTRY_DIR, 'registry.log');
const BASE_URL = `http://${REGISTRY}`;
const MANIFEST_V2 = 'application/vnd.docker.distribution.manifest.v2+json';

export function startRegistry(env: NodeJS.ProcessEnv): number {
  mkdirSync(join(REGISTRY_DIR, 'data'), { recursive: true });
  writeFileSync(
    REGISTRY_CONFIG_FILE,
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(REGISTRY_DIR, 'data')}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: ${REGISTRY}`,
      '',
    ].join('\n'),
  );
  return spawnDaemon({
    argv: ['docker-registry', 'serve', REGISTRY_CONFIG_FILE],
    logFile: REGISTRY_LOG,
    env,
  });
}

export async function registryAnswers(): Promise<boolean> {
  const res = await fetch(`${BASE_URL}/v2/`, { signal: AbortSignal.timeout(2000) });
  return res.status === 200;
}

export async function waitRegistryReady(pid: number): Promise<void> {
  await waitFor('the registry', registryAnswers, 20_000, {
    hint: `see ${REGISTRY_LOG}`,
    gaveUp: () => (isAlive(pid) ? undefined : 'the registry exited'),
  });
}

async function expectStatus(res: Response, ok: number[], what: string): Promise<void> {
  if (!ok.includes(res.status)) {
    throw new TestbedError(`registry: ${what} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  }
}

/**
 * `pushed` remembers `repository@digest` within one push session (one registry), so a blob
 * shared by several tags goes up once per repository.
 */
async function pushBlob(
  repository: string,
  digest: string,
  data: Buffer,
  pushedBlobs: Set<string>,
): Promise<void> {
  // No HEAD probe first: the registry logs every miss as an error, and re-uploading a blob it
  // already has is harmless.
  if (pushedBlobs.has(`${repository}@${digest}`)) return;
  const start = await fetch(`${BASE_URL}/v2/${repository}/blobs/uploads/`, { method: 'POST' });
  await expectStatus(start, [202], `starting an upload to ${repository}`);
  const location = new URL(start.headers.get('location') ?? '', BASE_URL);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(data.length) },
    body: data,
  });
  await expectStatus(put, [201], `uploading ${digest} to ${repository}`);
  pushedBlobs.add(`${repository}@${digest}`);
}

export async function pushImage(image: BuiltImage, pushedBlobs: Set<string>): Promise<void> {
  for (const layer of image.layers) await pushBlob(image.repository, layer.digest, layer.blob, pushedBlobs);
  await pushBlob(image.repository, image.configDigest, image.config, pushedBlobs);
  const res = await fetch(`${BASE_URL}/v2/${image.repository}/manifests/${image.tag}`, {
    method: 'PUT',
    headers: { 'content-type': MANIFEST_V2 },
    body: image.manifest,
  });
  await expectStatus(res, [201], `storing the manifest of ${image.reference}`);
}

/** The digest the registry holds for repository:tag, or undefined when it has none. */
export async function manifestDigest(repository: string, tag: string): Promise<string | undefined> {
  const res = await fetch(`${BASE_URL}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { accept: MANIFEST_V2 },
  });
  return res.status === 200 ? (res.headers.get('docker-content-digest') ?? undefined) : undefined;
}
