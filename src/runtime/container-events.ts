// Whether a host's containers may have changed since they were last listed, from the engine's
// own event stream (GET /events, filtered on skiff's label and on the actions that change what
// a list shows). The kubelet's PLEG and client-go's informers do the same: list once, then
// watch, and list again only on a change. Without it every pass lists every container of every
// host, and an idle pass at 500 hosts reads and collects tens of MB of JSON. Shell.
// Invariants:
// - Until a stream is up, and after it ends for any reason, the host counts as changed: losing
//   the stream costs a list per pass, never a missed change.
// - A stream that comes up marks the host changed: the list after it sees everything the
//   stream did not.
// - The events themselves are not read: any byte on the filtered stream means "list again".
import type Docker from 'dockerode';
import { LABELS } from '../model/labels.js';
import { withTimeout } from './with-timeout.js';

/** Container actions that change a list entry or an inspect (state, exit, names, times).
 *  Not exec_*, attach, resize, top or health_status: an exec probe every second must not make
 *  its host listed every pass. */
const LIST_CHANGING_ACTIONS = [
  'create',
  'start',
  'restart',
  'die',
  'oom',
  'destroy',
  'pause',
  'unpause',
  'rename',
  'update',
] as const;

export const CONTAINER_EVENT_FILTERS = {
  type: ['container' as const],
  label: [`${LABELS.managed}=true`],
  event: [...LIST_CHANGING_ACTIONS],
};

/** How an attempt to open the stream went: its time, and why it failed. `failedBefore` counts
 *  the failed attempts in a row before this one (0 after a stream that was up). */
export type StreamOpened = (
  outcome: { ok: true } | { ok: false; error: unknown },
  seconds: number,
  failedBefore: number,
) => void;

const destroyStream = (s: NodeJS.ReadableStream) => (s as { destroy?: () => void }).destroy?.();

export class ContainerEvents {
  private stream?: NodeJS.ReadableStream;
  private opening = false;
  private changed = true;
  private closed = false;
  private failures = 0;

  /** `timeoutMs` bounds an attempt: an engine that never answers the request is a failed
   *  attempt (tried again at the next call), not a host listed every pass with nothing said. */
  constructor(
    private readonly docker: Pick<Docker, 'getEvents'>,
    private readonly timeoutMs: number,
    private readonly opened: StreamOpened = () => {},
  ) {}

  /** True when the host must be listed now; the mark is cleared by asking, so a change that
   *  comes during the list that follows marks it again. */
  takeChanged(): boolean {
    const was = this.changed || !this.stream;
    this.changed = false;
    return was;
  }

  /** Something changed the host (skiff's own call): list it at the next pass. */
  markChanged(): void {
    this.changed = true;
  }

  /** Open the stream if it is not up (one attempt at a time; a failure leaves the host
   *  counted as changed, and the next call tries again). */
  watch(): void {
    if (this.stream || this.opening || this.closed) return;
    this.opening = true;
    const started = performance.now();
    // Through a promise: a client that throws at once fails like one that rejects.
    const request = Promise.resolve().then(() => this.docker.getEvents({ filters: CONTAINER_EVENT_FILTERS }));
    withTimeout(request, this.timeoutMs, 'GET /events').then(
      (stream) => {
        this.opening = false;
        if (this.closed) {
          destroyStream(stream);
          return;
        }
        this.stream = stream;
        this.changed = true;
        this.report({ ok: true }, started);
        this.failures = 0;
        const ended = () => {
          if (this.stream !== stream) return;
          this.stream = undefined;
          this.changed = true;
        };
        stream.on('data', () => {
          this.changed = true;
        });
        stream.on('end', ended);
        stream.on('close', ended);
        stream.on('error', ended);
      },
      (error: unknown) => {
        // A stream that answers after its attempt timed out is closed, not leaked.
        request.then(destroyStream, () => {});
        this.opening = false;
        this.changed = true;
        if (this.closed) return;
        this.report({ ok: false, error }, started);
        this.failures++;
      },
    );
  }

  close(): void {
    this.closed = true;
    const s = this.stream;
    this.stream = undefined;
    if (s) destroyStream(s);
  }

  private report(outcome: Parameters<StreamOpened>[0], started: number): void {
    this.opened(outcome, (performance.now() - started) / 1000, this.failures);
  }
}
