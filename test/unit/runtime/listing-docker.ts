// A host's Docker engine for DockerRuntime's observe tests: it lists `pods` pods (an infra and
// an app container each) and claim volumes, answers inspects (counting them and how many run at
// once), and an event stream the test writes to or ends.
import { PassThrough } from 'node:stream';
import type { ContainerSummary } from '../../../src/runtime/decode-pods.js';
import { planPod } from '../../../src/runtime/pod-spec.js';
import { sleeperPod } from './runtime-contract.js';

export const STARTED = '2026-12-07T10:00:00Z';

export class ListingDocker {
  readonly listed: ContainerSummary[];
  readonly inspected: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  lists = 0;
  volumeLists = 0;
  /** Claim volumes the engine lists (GET /volumes). */
  volumes: { Name: string; Labels: Record<string, string> }[] = [];
  /** Event streams opened, the last one current. */
  readonly streams: PassThrough[] = [];
  /** Filters of the last events request. */
  eventFilters?: unknown;
  /** How long a container list takes (0: at once). */
  listDelayMs = 0;
  /** The engine stops answering (every call fails as a dropped connection does). */
  down = false;

  constructor(pods: number) {
    this.listed = Array.from({ length: pods }, (_, p) => {
      const plan = planPod(sleeperPod(`web-${p}`, { image: 'app:1' }), {
        dataDir: '/var/lib/skiff',
        pauseImage: 'pause',
        createdAt: 1_700_000_000_000,
      });
      return [plan.infra, ...plan.containers].map((b, i) => ({
        Id: `c${p}-${i}`,
        Names: [`/${b.name}`],
        Image: b.Image,
        Created: 1_700_000_000,
        State: 'running',
        Status: 'Up 1 minute',
        Labels: b.Labels,
      }));
    }).flat();
  }

  /** The container `id` exited with code 3. */
  exit(id: string): void {
    const c = this.listed.find((x) => x.Id === id)!;
    c.State = 'exited';
    c.Status = 'Exited (3) 1 second ago';
  }

  /** Write one event on the current stream, as the engine does. */
  event(action: string, id: string): void {
    this.streams.at(-1)?.write(`${JSON.stringify({ Type: 'container', Action: action, id })}\n`);
  }

  info = async () => ({ NCPU: 2, MemTotal: 1 << 30 });
  getEvents = async (opts: { filters?: unknown }) => {
    this.eventFilters = opts.filters;
    const s = new PassThrough();
    this.streams.push(s);
    return s;
  };
  private answer(): void {
    if (this.down) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  }
  listVolumes = async () => {
    this.volumeLists++;
    this.answer();
    return { Volumes: this.volumes };
  };
  listContainers = async () => {
    this.lists++;
    this.answer();
    if (this.listDelayMs > 0) await new Promise((r) => setTimeout(r, this.listDelayMs));
    return this.listed.map((c) => ({ ...c }));
  };
  getVolume = () => ({ remove: async () => {} });
  getContainer = (id: string) => ({
    inspect: async () => {
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      await new Promise((r) => setTimeout(r, 2));
      this.inFlight--;
      this.inspected.push(id);
      const c = this.listed.find((x) => x.Id === id)!;
      return {
        State: {
          ExitCode: c.State === 'exited' ? 3 : 0,
          StartedAt: STARTED,
          FinishedAt: c.State === 'exited' ? '2026-12-07T10:05:00Z' : '0001-01-01T00:00:00Z',
        },
      };
    },
  });
}

/** Let the runtime's stream callbacks run (the events request resolves on a later tick). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}
