/**
 * Collects single photos into batches for the classifier: a batch runs when it is full, or
 * after a short linger if the queue is quiet. One batch runs at a time; photos that arrive
 * meanwhile form the next one, so batches fill up by themselves under load.
 */
import type { Classifier } from "../model/classifier";

interface Pending {
  input: Float32Array;
  resolve(score: number): void;
  reject(err: Error): void;
}

export class InferenceBatcher {
  private queue: Pending[] = [];
  private running = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly classifier: Classifier,
    private readonly batchSize: number,
    private readonly lingerMs: number,
    private readonly onBatch?: (size: number, seconds: number) => void,
  ) {}

  submit(input: Float32Array): Promise<number> {
    return new Promise((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      if (this.running) return;
      if (this.queue.length >= this.batchSize || this.lingerMs === 0) this.runNow();
      else this.timer ??= setTimeout(() => this.runNow(), this.lingerMs);
    });
  }

  private runNow(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.running) void this.drain();
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.batchSize);
      const started = process.hrtime.bigint();
      try {
        const scores = await this.classifier.classify(batch.map((p) => p.input));
        this.onBatch?.(batch.length, Number(process.hrtime.bigint() - started) / 1e9);
        batch.forEach((p, i) => p.resolve(scores[i]));
      } catch (err) {
        for (const p of batch) p.reject(err as Error);
      }
    }
    this.running = false;
  }
}
