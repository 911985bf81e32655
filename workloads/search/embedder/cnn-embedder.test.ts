import { expect } from "chai";
import { readFile } from "node:fs/promises";
import * as path from "node:path";
import { modelVersion } from "../../shared/image-model/model-source";
import { toModelInput } from "../../shared/image-model/preprocess";
import { CnnEmbedder } from "./cnn-embedder";
import { BUILT_EMBEDDER, PHOTO_SETS } from "./paths";
import { fitPca, Projection } from "./projection";

const limits = { maxBytes: 10_000_000, maxPixels: 40_000_000 };
const photo = async (set: string, name: string) =>
  toModelInput(await readFile(path.join(PHOTO_SETS, set, name)), limits);
const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i], 0);

describe("CNN embedder (EfficientNet-Lite0 pooled features)", function () {
  this.timeout(120_000);
  let embedder: CnnEmbedder;
  let version: string;
  before(async () => {
    version = modelVersion(BUILT_EMBEDDER, await readFile(BUILT_EMBEDDER));
    embedder = await CnnEmbedder.load(BUILT_EMBEDDER, version, { threads: 2, executionProvider: "cpu" });
  });
  after(async () => embedder?.close());

  it("gives unit vectors of 1280, the same alone as in a batch, nearer for two views of one motorcycle", async () => {
    const [left, right, coins] = await embedder.embed([
      await photo("not-food", "motorcycle_left.png"),
      await photo("not-food", "motorcycle_right.png"),
      await photo("not-food", "coins.png"),
    ]);
    expect(embedder.version).to.equal(version);
    expect(left.length).to.equal(1280);
    for (const v of [left, right, coins]) expect(Math.sqrt(dot(v, v))).to.be.closeTo(1, 1e-5);
    expect(dot(left, right)).to.be.above(dot(left, coins) + 0.1);
    const [alone] = await embedder.embed([await photo("not-food", "motorcycle_left.png")]);
    expect(dot(alone, left)).to.be.closeTo(1, 1e-4);
  });

  it("projects with a PCA asset and names it in the embedding version", async () => {
    const names = [
      "A001.jpeg",
      "B001.jpeg",
      "C001.jpeg",
      "D001.jpeg",
      "E001.jpeg",
      "G001.jpeg",
      "A002.jpeg",
      "B002.jpeg",
    ];
    const features = await embedder.embed(await Promise.all(names.map((n) => photo("food", n))));
    const projection = Projection.serialise(fitPca(features, 4));
    const projected = await CnnEmbedder.load(
      BUILT_EMBEDDER,
      version,
      { threads: 1, executionProvider: "cpu" },
      projection,
    );
    try {
      expect(projected.version).to.equal(`${version}+${projection.version}`);
      const [v] = await projected.embed([await photo("food", "A001.jpeg")]);
      expect(v.length).to.equal(4);
      expect(Math.sqrt(dot(v, v))).to.be.closeTo(1, 1e-5);
    } finally {
      await projected.close();
    }
  });
});
