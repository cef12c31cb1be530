// Images on a host: pulled per the container's pull policy with registry credentials from the
// cluster config (progress logged), and the pod infra image imported from skiff's own bytes
// when missing, so hosts without registry access can run pods. Shell.
// Invariant: concurrent requests for the same image on one host share one pull.
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { type RegistryConfig, registryForImage } from '../config/cluster-config.js';
import { dockerError, isNotFound, RuntimeError } from './errors.js';
import {
  PAUSE_BINARY_PATH,
  PAUSE_IMAGE,
  PAUSE_IMAGE_REPO,
  PAUSE_IMAGE_TAG,
  pauseImageTar,
} from './pause-image.js';

export interface RuntimeLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export const silentLogger: RuntimeLogger = { info: () => {}, warn: () => {} };

export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';

interface PullEvent {
  status?: string;
  id?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/** Docker's X-Registry-Auth content for the image's registry, if the config has credentials. */
export async function registryAuth(
  registries: readonly RegistryConfig[],
  image: string,
  env: Record<string, string | undefined>,
): Promise<{ username: string; password: string; serveraddress: string } | undefined> {
  const r = registryForImage(registries, image);
  if (!r?.username) return undefined;
  let password = r.password;
  if (r.passwordFile !== undefined) password = (await readFile(r.passwordFile, 'utf8')).trim();
  if (r.passwordEnv !== undefined) password = env[r.passwordEnv];
  if (password === undefined)
    throw new RuntimeError('runtime.image-pull', `no password for registry ${r.server}`, {
      hint: r.passwordEnv
        ? `set the environment variable ${r.passwordEnv}`
        : 'check the registry entry in the cluster config',
    });
  return { username: r.username, password, serveraddress: r.server };
}

/** Statuses worth a log line: one per layer milestone, not every progress tick. */
const MILESTONES = new Set(['Pulling fs layer', 'Download complete', 'Pull complete', 'Already exists']);

export class HostImages {
  private readonly pulls = new Map<string, Promise<void>>();
  private pauseReady?: Promise<void>;

  constructor(
    private readonly host: string,
    private readonly docker: Docker,
    private readonly registries: readonly RegistryConfig[],
    private readonly env: Record<string, string | undefined>,
    private readonly log: RuntimeLogger,
    private readonly pullTimeoutMs: number,
  ) {}

  async present(image: string): Promise<boolean> {
    try {
      await this.docker.getImage(image).inspect();
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw dockerError(err, `inspect image ${image}`, `host/${this.host}`);
    }
  }

  /** Make the image available per the pull policy (Kubernetes' imagePullPolicy). */
  async ensure(image: string, policy: PullPolicy): Promise<void> {
    if (policy === 'Always') return this.pull(image);
    if (await this.present(image)) return;
    if (policy === 'Never')
      throw new RuntimeError(
        'runtime.image-never-pull',
        `image ${image} is not present on host/${this.host} and imagePullPolicy is Never`,
        {
          subject: `host/${this.host}`,
          hint: 'load the image on the host, or change imagePullPolicy',
        },
      );
    return this.pull(image);
  }

  pull(image: string): Promise<void> {
    let p = this.pulls.get(image);
    if (!p) {
      p = this.doPull(image).finally(() => this.pulls.delete(image));
      this.pulls.set(image, p);
    }
    return p;
  }

  private async doPull(image: string): Promise<void> {
    const started = Date.now();
    this.log.info({ host: this.host, image }, 'pulling image');
    const authconfig = await registryAuth(this.registries, image, this.env);
    const signal = AbortSignal.timeout(this.pullTimeoutMs);
    let stream: NodeJS.ReadableStream;
    try {
      stream = (await this.docker.pull(image, { authconfig, abortSignal: signal })) as NodeJS.ReadableStream;
    } catch (err) {
      throw new RuntimeError(
        'runtime.image-pull',
        `pull ${image} on host/${this.host}: ${(err as { json?: { message?: string } }).json?.message ?? (err as Error).message}`,
        {
          subject: `host/${this.host}`,
          retryable: true,
          cause: err,
        },
      );
    }
    await new Promise<void>((resolve, reject) => {
      this.docker.modem.followProgress(
        stream,
        (err: Error | null, events: PullEvent[]) => {
          const failed = err?.message ?? events.find((e) => e.error)?.error;
          if (failed)
            reject(
              new RuntimeError('runtime.image-pull', `pull ${image} on host/${this.host}: ${failed}`, {
                subject: `host/${this.host}`,
                retryable: true,
              }),
            );
          else resolve();
        },
        (e: PullEvent) => {
          if (
            e.status &&
            (MILESTONES.has(e.status) || e.status.startsWith('Status:') || e.status.startsWith('Digest:'))
          )
            this.log.info({ host: this.host, image, layer: e.id, status: e.status }, 'pull progress');
        },
      );
    });
    this.log.info({ host: this.host, image, ms: Date.now() - started }, 'pulled image');
  }

  /** The pod infra image, imported from skiff's built-in bytes when the host lacks it. */
  ensurePause(): Promise<void> {
    if (!this.pauseReady) {
      this.pauseReady = this.importPause().catch((err) => {
        this.pauseReady = undefined;
        throw err;
      });
    }
    return this.pauseReady;
  }

  private async importPause(): Promise<void> {
    if (await this.present(PAUSE_IMAGE)) return;
    const info = (await this.docker.info()) as { Architecture?: string };
    const arch = info.Architecture ?? 'unknown';
    const tar = pauseImageTar(arch);
    if (!tar)
      throw new RuntimeError(
        'runtime.unsupported-architecture',
        `host/${this.host} is ${arch}: skiff's pod infra image exists for x86_64 only`,
        {
          subject: `host/${this.host}`,
          hint: 'run skiff hosts on x86_64 machines',
        },
      );
    this.log.info({ host: this.host, image: PAUSE_IMAGE, arch }, 'importing pod infra image');
    const out = (await this.docker.importImage(Readable.from([Buffer.from(tar)]), {
      repo: PAUSE_IMAGE_REPO,
      tag: PAUSE_IMAGE_TAG,
      changes: [`CMD ["${PAUSE_BINARY_PATH}"]`],
    } as object)) as NodeJS.ReadableStream;
    await new Promise<void>((resolve, reject) =>
      this.docker.modem.followProgress(out, (err: Error | null, events: PullEvent[]) => {
        const failed = err?.message ?? events.find((e) => e.error)?.error;
        if (failed)
          reject(
            new RuntimeError('runtime.docker', `import ${PAUSE_IMAGE} on host/${this.host}: ${failed}`, {
              retryable: true,
            }),
          );
        else resolve();
      }),
    );
  }
}
