// The test images, built offline from the machine's busybox-static: a shared busybox base
// layer plus a small layer per image (the web app's scripts, the nginx stand-in). Layers are
// reproducible tars (sorted, fixed mtime and owners), so their digests are stable across runs
// and a push of an unchanged image uploads nothing.

import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { REGISTRY, TESTBED_DIR } from './layout.js';
import { run, TestbedError } from './shell.js';

const IMAGE_FILES_DIR = join(dirname(new URL(import.meta.url).pathname), 'image-files');
const BUILD_DIR = join(TESTBED_DIR, 'images');
const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface Layer {
  /** sha256 of the uncompressed tar (the image config's diff_id). */
  diffId: string;
  /** sha256 of the gzipped tar (the blob the registry stores). */
  digest: string;
  blob: Buffer;
}

export interface ImageConfig {
  Env: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  ExposedPorts?: Record<string, Record<string, never>>;
  WorkingDir: string;
  StopSignal?: string;
  User?: string;
  Labels?: Record<string, string>;
}

export interface BuiltImage {
  /** Repository path inside the registry, e.g. `skiff/web`. */
  repository: string;
  tag: string;
  /** `10.213.0.1:5000/skiff/web:1.0.0` */
  reference: string;
  layers: Layer[];
  config: Buffer;
  configDigest: string;
  manifest: Buffer;
  manifestDigest: string;
}

/** The image families `status` reports: key -> references. */
export type ImageCatalog = Record<'web' | 'nginx' | 'busybox' | 'grpcHealth' | 'kvdb', string[]>;

/** kvdb's user, as postgres' (uid and gid 999). */
export const KVDB_UID = 999;

export const WEB_VERSIONS = ['1.0.0', '2.0.0', '3.0.0'] as const;

/** The gRPC health server the grpc probe e2e flips (image-files/grpc-health/server.mjs). */
export const GRPC_HEALTH_IMAGE = `${REGISTRY}/skiff/grpc-health:1.0`;

export function imageCatalog(): ImageCatalog {
  return {
    web: WEB_VERSIONS.map((v) => `${REGISTRY}/skiff/web:${v}`),
    nginx: [`${REGISTRY}/skiff/nginx:1.25`],
    busybox: [`${REGISTRY}/skiff/busybox:1.36`],
    grpcHealth: [GRPC_HEALTH_IMAGE],
    kvdb: [`${REGISTRY}/skiff/kvdb:1.0`],
  };
}

const sha256 = (data: Buffer | string): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

async function busyboxBinary(): Promise<string> {
  // busybox-static ships /bin/busybox; a dynamically linked busybox would not run in an image.
  const listed = await run('dpkg', ['-L', 'busybox-static'], { allowFailure: true });
  const path = listed.stdout.split('\n').find((l) => /\/bin\/busybox$/.test(l)) ?? '/bin/busybox';
  const file = readFileSync(path);
  if (file.includes(Buffer.from('/lib64/ld-linux')) || file.includes(Buffer.from('/lib/ld-linux'))) {
    throw new TestbedError(
      `${path} is dynamically linked`,
      'install busybox-static (scripts/install-deps.sh)',
    );
  }
  return path;
}

/**
 * Packs a folder into a reproducible tar (sorted, fixed mtime and owners) and gzips it. Every
 * entry is root's but the paths in `owned` (relative, e.g. `var/lib/kvdb`, with what is under
 * them), which get that uid:gid: appended in a second pass, so the build needs no chown.
 */
export async function packLayer(
  rootfs: string,
  owned: Record<string, { uid: number; gid: number }> = {},
): Promise<Layer> {
  const file = `${rootfs}.tar`;
  const common = ['--sort=name', '--mtime=@0', '--numeric-owner', '--format=gnu', '-C', rootfs];
  const excluded = Object.keys(owned).map((path) => `--exclude=./${path}`);
  await run('tar', [...common, '--owner=0', '--group=0', ...excluded, '-cf', file, '.']);
  for (const [path, { uid, gid }] of Object.entries(owned)) {
    await run('tar', [...common, `--owner=${uid}`, `--group=${gid}`, '-rf', file, `./${path}`]);
  }
  const tar = readFileSync(file);
  const blob = gzipSync(tar, { level: 6 });
  return { diffId: sha256(tar), digest: sha256(blob), blob };
}

function writeFile(root: string, path: string, content: string | Buffer, mode: number): void {
  const full = join(root, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, content);
  chmodSync(full, mode);
}

async function buildBaseLayer(): Promise<Layer> {
  const root = join(BUILD_DIR, 'base');
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const busybox = await busyboxBinary();
  mkdirSync(join(root, 'bin'), { recursive: true });
  copyFileSync(busybox, join(root, 'bin', 'busybox'));
  chmodSync(join(root, 'bin', 'busybox'), 0o755);
  const applets = (await run(busybox, ['--list-full'])).stdout.split('\n').filter((l) => l !== '');
  for (const applet of applets) {
    if (applet === 'bin/busybox') continue;
    mkdirSync(dirname(join(root, applet)), { recursive: true });
    symlinkSync('/bin/busybox', join(root, applet));
  }
  writeFile(
    root,
    'etc/passwd',
    'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n',
    0o644,
  );
  writeFile(root, 'etc/group', 'root:x:0:\nnogroup:x:65534:\n', 0o644);
  for (const dir of ['tmp', 'var/tmp']) {
    mkdirSync(join(root, dir), { recursive: true });
    chmodSync(join(root, dir), 0o1777);
  }
  for (const dir of ['root', 'proc', 'sys', 'dev', 'etc', 'var/run', 'usr/local/bin']) {
    mkdirSync(join(root, dir), { recursive: true });
  }
  chmodSync(join(root, 'root'), 0o700);
  return packLayer(root);
}

async function buildFilesLayer(
  name: string,
  files: Record<string, { source: string; mode: number }>,
): Promise<Layer> {
  const root = join(BUILD_DIR, name);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  for (const [path, { source, mode }] of Object.entries(files)) {
    writeFile(root, path, readFileSync(join(IMAGE_FILES_DIR, source)), mode);
  }
  return packLayer(root);
}

/** The machine's node binary and the shared libraries `ldd` lists, at their own paths
 *  (no internet: the image's runtime is the one this machine runs). */
async function buildNodeLayer(): Promise<Layer> {
  const root = join(BUILD_DIR, 'node');
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const node = realpathSync(process.execPath);
  const ldd = (await run('ldd', [node])).stdout;
  const libs = [...ldd.matchAll(/(?:=>\s*)?(\/\S+)\s+\(0x/g)].map((m) => m[1]!);
  for (const file of [node, ...libs]) writeFile(root, file.slice(1), readFileSync(realpathSync(file)), 0o755);
  return packLayer(root);
}

/** skiff/grpc-health:1.0: busybox (sh, touch, rm for `docker exec`), node, the server. */
async function buildGrpcHealthImage(base: Layer): Promise<BuiltImage> {
  const [node, files] = await Promise.all([
    buildNodeLayer(),
    buildFilesLayer('grpc-health', { 'app/server.mjs': { source: 'grpc-health/server.mjs', mode: 0o644 } }),
  ]);
  return assemble('skiff/grpc-health', '1.0', [base, node, files], {
    Env: [PATH_ENV, 'PORT=9000', 'SERVING_FILE=/tmp/serving', 'SERVICES=skiff.test.Echo'],
    Entrypoint: [realpathSync(process.execPath), '/app/server.mjs'],
    ExposedPorts: { '9000/tcp': {} },
    WorkingDir: '/',
    Labels: { 'org.opencontainers.image.title': 'skiff test gRPC health server' },
  });
}

/**
 * The database stand-in: the kvdb script, and its data and run folders owned by its user, as
 * a database image ships them (a Docker volume mounted there starts with that owner).
 */
async function buildKvdbLayer(): Promise<Layer> {
  const root = join(BUILD_DIR, 'kvdb');
  rmSync(root, { recursive: true, force: true });
  writeFile(root, 'usr/local/bin/kvdb', readFileSync(join(IMAGE_FILES_DIR, 'kvdb/kvdb')), 0o755);
  for (const dir of ['var/lib/kvdb', 'var/run/kvdb']) {
    mkdirSync(join(root, dir), { recursive: true });
    chmodSync(join(root, dir), 0o750);
  }
  const kvdb = { uid: KVDB_UID, gid: KVDB_UID };
  return packLayer(root, { 'var/lib/kvdb': kvdb, 'var/run/kvdb': kvdb });
}

function assemble(repository: string, tag: string, layers: Layer[], config: ImageConfig): BuiltImage {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const configJson = Buffer.from(
    JSON.stringify({
      architecture: arch,
      os: 'linux',
      created: '2024-01-01T00:00:00Z',
      config,
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
      history: layers.map((_, i) => ({
        created: '2024-01-01T00:00:00Z',
        created_by: `skiff testbed layer ${i}`,
      })),
    }),
  );
  const configDigest = sha256(configJson);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: {
        mediaType: 'application/vnd.docker.container.image.v1+json',
        size: configJson.length,
        digest: configDigest,
      },
      layers: layers.map((l) => ({
        mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
        size: l.blob.length,
        digest: l.digest,
      })),
    }),
  );
  return {
    repository,
    tag,
    reference: `${REGISTRY}/${repository}:${tag}`,
    layers,
    config: configJson,
    configDigest,
    manifest,
    manifestDigest: sha256(manifest),
  };
}

/** Builds every test image listed by imageCatalog(). */
export async function buildImages(): Promise<BuiltImage[]> {
  mkdirSync(BUILD_DIR, { recursive: true });
  const [base, web, nginx, kvdb] = await Promise.all([
    buildBaseLayer(),
    buildFilesLayer('web', {
      'app/server.sh': { source: 'web/server.sh', mode: 0o755 },
      'app/handler.sh': { source: 'web/handler.sh', mode: 0o755 },
    }),
    buildFilesLayer('nginx', {
      'usr/sbin/nginx': { source: 'nginx/nginx', mode: 0o755 },
      'usr/share/nginx/html/index.html': { source: 'nginx/index.html', mode: 0o644 },
    }),
    buildKvdbLayer(),
  ]);
  const images = [
    ...WEB_VERSIONS.map((version) =>
      assemble('skiff/web', version, [base, web], {
        Env: [PATH_ENV, `VERSION=${version}`, 'PORT=8080'],
        Entrypoint: ['/app/server.sh'],
        ExposedPorts: { '8080/tcp': {} },
        WorkingDir: '/',
        Labels: {
          'org.opencontainers.image.title': 'skiff test web app',
          'org.opencontainers.image.version': version,
        },
      }),
    ),
    assemble('skiff/nginx', '1.25', [base, nginx], {
      Env: [PATH_ENV, 'NGINX_VERSION=1.25'],
      Cmd: ['nginx', '-g', 'daemon off;'],
      ExposedPorts: { '80/tcp': {} },
      WorkingDir: '/',
      StopSignal: 'SIGQUIT',
    }),
    assemble('skiff/busybox', '1.36', [base], { Env: [PATH_ENV], Cmd: ['sh'], WorkingDir: '/' }),
    await buildGrpcHealthImage(base),
    assemble('skiff/kvdb', '1.0', [base, kvdb], {
      Env: [PATH_ENV, 'KVDB_DATA=/var/lib/kvdb/data', 'KVDB_PORT=5432'],
      Entrypoint: ['/usr/local/bin/kvdb'],
      Cmd: ['serve'],
      ExposedPorts: { '5432/tcp': {} },
      WorkingDir: '/',
      User: `${KVDB_UID}:${KVDB_UID}`,
      Labels: { 'org.opencontainers.image.title': 'skiff test key/value database' },
    }),
  ];
  const catalog = Object.values(imageCatalog()).flat().sort();
  const built = images.map((i) => i.reference).sort();
  if (JSON.stringify(catalog) !== JSON.stringify(built))
    throw new Error('bug: image catalog and built images differ');
  return images;
}
