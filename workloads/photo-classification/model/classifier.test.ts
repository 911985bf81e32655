import { expect } from "chai";
import { readFile } from "node:fs/promises";
import * as path from "node:path";
import { ThreadedClassifier } from "./classifier";
import { BUILT_MODEL, LABELLED_PHOTOS } from "./paths";
import { toModelInput } from "../../shared/image-model/preprocess";

const limits = { maxBytes: 10_000_000, maxPixels: 40_000_000 };
const photo = async (set: "food" | "not-food", name: string) =>
  toModelInput(await readFile(path.join(LABELLED_PHOTOS, set, name)), limits);

describe("food classifier (EfficientNet-Lite0 ONNX on an inference thread)", function () {
  let classifier: ThreadedClassifier;
  before(async () => {
    classifier = await ThreadedClassifier.load(BUILT_MODEL, "test", { threads: 2, executionProvider: "cpu" });
  });
  after(async () => classifier?.close());

  it("scores a vegetable as food and a cat, a motorcycle and a rocket as not food", async () => {
    const [cabbage, cat, motorcycle, rocket] = await classifier.classify([
      await photo("food", "D001.jpeg"),
      await photo("not-food", "chelsea.png"),
      await photo("not-food", "motorcycle_left.png"),
      await photo("not-food", "rocket.jpg"),
    ]);
    expect(cabbage).to.be.above(0.5);
    for (const score of [cat, motorcycle, rocket]) expect(score).to.be.below(0.1);
  });

  it("gives the same score to a photo alone and inside a batch", async () => {
    const inputs = [
      await photo("food", "E001.jpeg"),
      await photo("not-food", "coins.png"),
      await photo("food", "G001.jpeg"),
    ];
    const batched = await classifier.classify(inputs);
    for (let i = 0; i < inputs.length; i++) {
      const [alone] = await classifier.classify([inputs[i]]);
      expect(alone).to.be.closeTo(batched[i], 1e-4);
    }
  });

  it("keeps the event loop free while a batch runs", async () => {
    const input = await photo("food", "A001.jpeg");
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const started = Date.now();
    await classifier.classify(Array.from({ length: 32 }, () => input.slice()));
    const elapsed = Date.now() - started;
    clearInterval(timer);
    // A blocked loop would tick at most once; a free one ticks about every 5 ms of the run.
    expect(ticks).to.be.at.least(Math.floor(elapsed / 5 / 4));
    expect(ticks).to.be.at.least(3);
  });

  it("fails clearly when the model cannot be loaded", async () => {
    let message = "";
    await ThreadedClassifier.load("/nonexistent/model.onnx", "x", { threads: 1, executionProvider: "cpu" }).catch(
      (e: Error) => (message = e.message),
    );
    expect(message).to.contain("cannot load model /nonexistent/model.onnx");
  });
});
