// GET /api/v1/stream: the dashboard's live updates as server-sent events. `event: view` (the
// view's new sequence) when a pass changed what the view shows, `event: event` for each new or
// repeated history event; the page refetches what it shows. One timer for every client, running
// only while one is connected: it compares the view the last pass left (by reference, then by
// content) and reads the events seen since its last look. A pass never waits for a client: a
// frame is written to the socket's buffer, and a client whose buffer holds more than
// MAX_BUFFERED_BYTES (it stopped reading) is dropped. Shell (sockets, timers).

import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { HistoryStore } from '../history/history-store.js';
import type { ClusterView } from '../model/views.js';
import { type Answer, eventFrame, refuse } from './api-answer.js';

export const STREAM_LIMITS = {
  maxClients: 64,
  heartbeatMs: 15_000,
  checkMs: 1_000,
  maxBufferedBytes: 1 << 20,
} as const;

/** Events read at each look: more than a pass records between two looks a second apart. */
const RECENT_EVENTS = 200;

/** What the stream watches: the last pass's view and the history's events. */
export interface StreamSource {
  view(): ClusterView | undefined;
  history(): HistoryStore | undefined;
  scrub(text: string): string;
}

interface Client {
  res: ServerResponse;
}

export class EventStream {
  private readonly clients = new Set<Client>();
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private lastView: ClusterView | undefined;
  private lastDigest = '';
  private sequence = 0;
  /** The newest events at the last look: id -> count (a repeated event is news again). */
  private seenEvents = new Map<number, number>();

  constructor(
    private readonly source: StreamSource,
    private readonly limits: {
      maxClients: number;
      heartbeatMs: number;
      checkMs: number;
      maxBufferedBytes: number;
    } = STREAM_LIMITS,
  ) {}

  get size(): number {
    return this.clients.size;
  }

  /** Answers a stream request: the stream (the answer is `streamed`), or 503 at the cap. */
  open(res: ServerResponse): Answer {
    if (this.clients.size >= this.limits.maxClients)
      return {
        ...refuse(
          503,
          `${this.limits.maxClients} streams are open`,
          'close another dashboard tab, or retry later',
        ),
        headers: { 'retry-after': '30' },
      };
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    });
    res.socket?.setTimeout(0);
    const client: Client = { res };
    if (this.clients.size === 0) this.start();
    this.clients.add(client);
    res.on('close', () => this.drop(client));
    this.write(client, eventFrame('view', { sequence: this.sequence }, this.source.scrub));
    return { status: 200, body: undefined, streamed: true };
  }

  /** One look: a changed view, then the events seen since the last look. */
  check(): void {
    const view = this.source.view();
    if (view && view !== this.lastView) {
      this.lastView = view;
      const { at: _at, lease: _lease, ...shown } = view;
      const digest = createHash('sha1').update(JSON.stringify(shown)).digest('hex');
      if (digest !== this.lastDigest) {
        this.lastDigest = digest;
        this.sequence += 1;
        this.broadcast('view', { sequence: this.sequence, at: view.at });
      }
    }
    const history = this.source.history();
    if (!history) return;
    const events = history.listEvents({ limit: RECENT_EVENTS });
    const fresh = events.filter((e) => this.seenEvents.get(e.id) !== e.count);
    this.seenEvents = new Map(events.map((e) => [e.id, e.count]));
    for (const e of fresh.reverse()) this.broadcast('event', e);
  }

  close(): void {
    for (const c of this.clients) c.res.destroy();
    this.clients.clear();
    this.stop();
  }

  private broadcast(event: string, data: unknown): void {
    const frame = eventFrame(event, data, this.source.scrub);
    for (const c of this.clients) this.write(c, frame);
  }

  private write(c: Client, frame: string): void {
    if (c.res.writableLength > this.limits.maxBufferedBytes) return void c.res.destroy();
    c.res.write(frame);
  }

  private start(): void {
    // Events from before the first client are the page's first fetch, not news.
    const events = this.source.history()?.listEvents({ limit: RECENT_EVENTS }) ?? [];
    this.seenEvents = new Map(events.map((e) => [e.id, e.count]));
    this.timer = setInterval(() => this.check(), this.limits.checkMs).unref();
    this.heartbeat = setInterval(() => {
      for (const c of this.clients) this.write(c, ': heartbeat\n\n');
    }, this.limits.heartbeatMs).unref();
  }

  private stop(): void {
    clearInterval(this.timer);
    clearInterval(this.heartbeat);
    this.timer = undefined;
    this.heartbeat = undefined;
  }

  private drop(c: Client): void {
    this.clients.delete(c);
    if (this.clients.size === 0) this.stop();
  }
}
