/**
 * A small work queue in the client-go manner: a key waiting is queued once however often it is
 * added; a key being worked on is never worked on twice at once (an add meanwhile runs it again
 * after); a failed key is retried with exponential backoff per key, reset by a success. The
 * informers add keys on events and on every resync, so a missed event costs one resync period.
 */
export interface WorkQueueOptions {
  /** Keys worked on at once. */
  workers: number;
  /** First retry delay after a failure, ms; doubled per consecutive failure of the key. */
  baseDelayMs: number;
  /** Longest retry delay, ms. */
  maxDelayMs: number;
}

export type Handler = (key: string) => Promise<void | { requeueAfterMs: number }>;

export class WorkQueue {
  private readonly waiting = new Set<string>();
  private readonly order: string[] = [];
  private readonly active = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private running = 0;
  private stopped = false;
  private idle: Array<() => void> = [];

  constructor(
    private readonly handler: Handler,
    private readonly options: WorkQueueOptions,
    private readonly onError: (key: string, err: Error, retryInMs: number) => void,
  ) {}

  add(key: string): void {
    if (this.stopped) return;
    if (this.active.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.waiting.has(key)) return;
    this.waiting.add(key);
    this.order.push(key);
    this.pump();
  }

  /** Adds `key` after `ms`, unless an earlier delayed add is pending. */
  addAfter(key: string, ms: number): void {
    if (this.stopped || this.timers.has(key)) return;
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, ms);
    this.timers.set(key, timer);
  }

  /** Keys waiting or being worked on. */
  get depth(): number {
    return this.waiting.size + this.active.size;
  }

  /** Stops taking work and waits for the keys in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.waiting.clear();
    this.order.length = 0;
    if (this.running > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  private pump(): void {
    while (!this.stopped && this.running < this.options.workers && this.order.length > 0) {
      const key = this.order.shift() as string;
      this.waiting.delete(key);
      this.active.add(key);
      this.running++;
      void this.work(key);
    }
  }

  private async work(key: string): Promise<void> {
    try {
      const result = await this.handler(key);
      this.failures.delete(key);
      if (result) this.addAfter(key, result.requeueAfterMs);
    } catch (err) {
      const n = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, n);
      const delay = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (n - 1));
      this.onError(key, err as Error, delay);
      this.addAfter(key, delay);
    } finally {
      this.active.delete(key);
      this.running--;
      if (this.dirty.delete(key)) this.add(key);
      if (this.running === 0 && this.stopped) for (const resolve of this.idle.splice(0)) resolve();
      this.pump();
    }
  }
}
