import { expect } from "chai";
import { readFile } from "node:fs/promises";
import * as path from "node:path";
import { FOOD_SCORE, ThreadedClassifier, ZERO_SHOT_SCORE } from "./classifier";
import { BUILT_MODEL, LABELLED_PHOTOS, MODEL_FIGURES, ZERO_SHOT_MODEL } from "./paths";
import { toModelInput } from "../../shared/image-model/preprocess";
import { createSession, runBatch } from "../../shared/image-model/session";
import { workerEnv } from "../worker/config";

const limits = { maxBytes: 10_000_000, maxPixels: 40_000_000 };
const photo = async (set: "food" | "not-food", name: string) =>
  toModelInput(await readFile(path.join(LABELLED_PHOTOS, set, name)), limits);

describe("food classifier (EfficientNet-Lite0 ONNX on an inference thread)", function () {
  it("is one graph: the trained head's food_score, with the zero-shot score it replaced kept beside it", async () => {
    const inputs = [await photo("food", "D001.jpeg"), await photo("not-food", "coins.png")];
    const batch = new Float32Array(inputs[0].length * 2);
    inputs.forEach((x, i) => batch.set(x, i * x.length));
    const options = { threads: 2, executionProvider: "cpu" as const };
    const combined = await createSession(BUILT_MODEL, options, [FOOD_SCORE, ZERO_SHOT_SCORE]);
    const before = await createSession(ZERO_SHOT_MODEL, options, [FOOD_SCORE]);
    try {
      const zeroShot = await runBatch(combined, batch, 2, ZERO_SHOT_SCORE);
      const old = await runBatch(before, batch, 2, FOOD_SCORE);
      const head = await runBatch(combined, batch, 2, FOOD_SCORE);
      for (let i = 0; i < 2; i++) expect(zeroShot[i]).to.be.closeTo(old[i], 1e-5);
      expect(Array.from(head)).to.not.deep.equal(Array.from(zeroShot));
    } finally {
      await combined.release();
      await before.release();
    }
  });

  it("defaults the worker's threshold to the head's, chosen on the training split", async () => {
    const figures = JSON.parse(await readFile(MODEL_FIGURES, "utf8")) as {
      split: { train: { food: number; notFood: number }; heldOut: { food: number; notFood: number } };
      head: { threshold: number; heldOut: { rocAuc: number } };
    };
    expect(workerEnv.shape.FOOD_THRESHOLD.parse(undefined)).to.equal(figures.head.threshold);
    // The goal on photos the training never saw (MODEL.md says where it lands).
    expect(figures.head.heldOut.rocAuc).to.be.at.least(0.95);
    expect(Math.min(figures.split.heldOut.food, figures.split.heldOut.notFood)).to.be.at.least(50);
  });

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
    const threshold = workerEnv.shape.FOOD_THRESHOLD.parse(undefined);
    expect(cabbage).to.be.above(threshold);
    for (const score of [cat, motorcycle, rocket]) expect(score).to.be.below(threshold / 2);
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
