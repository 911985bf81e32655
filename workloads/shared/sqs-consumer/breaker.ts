/**
 * A circuit breaker for one dependency: opened when a handler finds the dependency down, it
 * probes every `intervalMs` and closes on the first probe that succeeds. While it is open the
 * consumer receives nothing, and units that met the outage wait for it to close.
 */
import type { DependencyProbe } from "./types";

export class CircuitBreaker {
  private openedAt: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private probing: AbortController | undefined;
  private waiters: (() => void)[] = [];

  constructor(
    readonly dependency: string,
    private readonly probe: DependencyProbe,
    private readonly onOpen: (error: string) => void,
    private readonly onClose: (downSeconds: number) => void,
  ) {}

  get isOpen(): boolean {
    return this.openedAt !== undefined;
  }

  open(error: string): void {
    if (this.isOpen) return;
    this.openedAt = Date.now();
    this.onOpen(error);
    this.schedule();
  }

  /** Resolves when the breaker is closed (at once if it is); rejects when `signal` aborts first. */
  whenClosed(signal: AbortSignal): Promise<void> {
    if (!this.isOpen) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.waiters = this.waiters.filter((w) => w !== done);
        reject(signal.reason as Error);
      };
      const done = () => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(done);
    });
  }

  /** Stops probing; waiters stay until their signals abort. */
  dispose(): void {
    clearTimeout(this.timer);
    this.probing?.abort();
  }

  private schedule(): void {
    this.timer = setTimeout(() => void this.tryProbe(), this.probe.intervalMs);
  }

  private async tryProbe(): Promise<void> {
    this.probing = new AbortController();
    const timeout = AbortSignal.timeout(Math.max(1000, this.probe.intervalMs));
    try {
      await this.probe.probe(AbortSignal.any([this.probing.signal, timeout]));
    } catch {
      if (!this.probing.signal.aborted) this.schedule();
      return;
    }
    const downSeconds = (Date.now() - (this.openedAt ?? Date.now())) / 1000;
    this.openedAt = undefined;
    this.onClose(downSeconds);
    for (const wake of this.waiters.splice(0)) wake();
  }
}
