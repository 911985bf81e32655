/** A counting semaphore: at most `size` holders at once, first come first served. */
export class Slots {
  private used = 0;
  private peakUsed = 0;
  private waiters: (() => void)[] = [];

  constructor(readonly size: number) {}

  get inUse(): number {
    return this.used;
  }

  /** The most ever held at once. */
  get peak(): number {
    return this.peakUsed;
  }

  async acquire(): Promise<void> {
    if (this.used >= this.size) await new Promise<void>((resolve) => this.waiters.push(resolve));
    else this.used++;
    this.peakUsed = Math.max(this.peakUsed, this.used);
  }

  /** Hands the slot to the next waiter, if any. */
  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.used--;
  }

  async with<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await work();
    } finally {
      this.release();
    }
  }
}
