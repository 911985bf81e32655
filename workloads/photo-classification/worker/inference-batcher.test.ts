import { expect } from "chai";
import type { Classifier } from "../model/classifier";
import { InferenceBatcher } from "./inference-batcher";

/** Records the batches it is given; scores each input by its first value. */
class RecordingClassifier implements Classifier {
  readonly version = "recording";
  readonly batches: number[][] = [];
  failNext = false;
  async classify(inputs: Float32Array[]): Promise<number[]> {
    this.batches.push(inputs.map((i) => i[0]));
    await new Promise((r) => setTimeout(r, 20));
    if (this.failNext) {
      this.failNext = false;
      throw new Error("model crashed");
    }
    return inputs.map((i) => i[0] / 100);
  }
  failure(): Error | undefined {
    return undefined;
  }
  async close(): Promise<void> {}
}

const input = (n: number) => Float32Array.of(n);

describe("InferenceBatcher", () => {
  it("runs full batches at once and hands each photo its own score", async () => {
    const model = new RecordingClassifier();
    const batcher = new InferenceBatcher(model, 3, 10_000);
    const scores = await Promise.all([1, 2, 3].map((n) => batcher.submit(input(n))));
    expect(scores).to.deep.equal([0.01, 0.02, 0.03]);
    expect(model.batches).to.deep.equal([[1, 2, 3]]);
  });

  it("runs a partial batch after the linger, and gathers arrivals during a run into the next batch", async () => {
    const model = new RecordingClassifier();
    const sizes: number[] = [];
    const batcher = new InferenceBatcher(model, 4, 5, (size) => sizes.push(size));
    const first = batcher.submit(input(1));
    await new Promise((r) => setTimeout(r, 10)); // the linger has passed: [1] is running
    const rest = [2, 3, 4, 5, 6].map((n) => batcher.submit(input(n)));
    await Promise.all([first, ...rest]);
    expect(model.batches).to.deep.equal([[1], [2, 3, 4, 5], [6]]);
    expect(sizes).to.deep.equal([1, 4, 1]);
  });

  it("fails every photo of a failed batch and keeps serving the next ones", async () => {
    const model = new RecordingClassifier();
    const batcher = new InferenceBatcher(model, 2, 10_000);
    model.failNext = true;
    const failed = await Promise.allSettled([batcher.submit(input(1)), batcher.submit(input(2))]);
    expect(failed.map((f) => f.status)).to.deep.equal(["rejected", "rejected"]);
    expect(await Promise.all([batcher.submit(input(7)), batcher.submit(input(8))])).to.deep.equal([0.07, 0.08]);
  });
});
