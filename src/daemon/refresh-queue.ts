// The daemon's work queue of app keys (as controller-runtime's workqueue holds object keys): a
// poll, the webhook or `skiff sync` enqueues an app's name, and one refresh of that app runs for
// it, never two of one app at once. Keys enqueued while a refresh waits to start coalesce into
// it. Shell (promises only; the work itself is the daemon's).

export class RefreshQueue {
  /** Per key: the last scheduled run, and whether it has not started yet (so it can absorb more). */
  private readonly tails = new Map<string, { done: Promise<void>; waiting: boolean }>();

  constructor(
    private readonly work: (key: string) => Promise<void>,
    private readonly onError: (key: string, err: unknown) => void,
  ) {}

  /** Schedules a run for `key` (after the one running, if any); resolves when that run has ended. */
  enqueue(key: string): Promise<void> {
    const tail = this.tails.get(key);
    if (tail?.waiting) return tail.done;
    const entry = { done: Promise.resolve(), waiting: true };
    entry.done = (tail?.done ?? Promise.resolve()).then(async () => {
      entry.waiting = false;
      try {
        await this.work(key);
      } catch (err) {
        this.onError(key, err);
      }
    });
    this.tails.set(key, entry);
    void entry.done.then(() => {
      if (this.tails.get(key) === entry) this.tails.delete(key);
    });
    return entry.done;
  }

  /** Resolves when every run of `key` scheduled so far has ended. */
  settled(key: string): Promise<void> {
    return this.tails.get(key)?.done ?? Promise.resolve();
  }

  /** Resolves when every run scheduled so far has ended. */
  async idle(): Promise<void> {
    await Promise.all([...this.tails.values()].map((t) => t.done));
  }
}
