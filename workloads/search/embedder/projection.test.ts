import { expect } from "chai";
import { rng } from "../feed/generator";
import { fitPca, Projection } from "./projection";

describe("PCA projection", () => {
  it("finds the directions of greatest variance, and is versioned by its bytes", () => {
    const random = rng(1);
    // 3-d points spread mostly along (1,1,0), a little along z.
    const rows = Array.from({ length: 400 }, () => {
      const t = (random() - 0.5) * 10;
      const z = (random() - 0.5) * 1;
      return Float32Array.from([t + 1, t - 2, z + 3]);
    });
    const file = fitPca(rows, 2);
    const first = file.components[0];
    expect(Math.abs(first[0])).to.be.closeTo(Math.SQRT1_2, 1e-3);
    expect(Math.abs(first[1])).to.be.closeTo(Math.SQRT1_2, 1e-3);
    expect(Math.abs(file.components[1][2])).to.be.closeTo(1, 1e-3);
    expect(file.variances[0]).to.be.above(file.variances[1]);
    const p = Projection.serialise(file);
    expect(p.version).to.match(/^pca2@sha256:[0-9a-f]{12}$/);
    expect(Projection.parse(p.bytes, "x").version).to.equal(p.version);
    expect(Projection.serialise(fitPca(rows, 2)).version).to.equal(p.version);
    // The mean projects to the origin; a step along the first component to its length.
    const mean = Float32Array.from(file.mean);
    expect(Array.from(p.apply(mean)).map((v) => Math.abs(v))).to.satisfy((ys: number[]) => ys.every((v) => v < 1e-5));
    const step = Float32Array.from(mean, (m, i) => m + 2 * first[i]);
    expect(p.apply(step)[0]).to.be.closeTo(2, 1e-4);
  });

  it("refuses to fit more components than the vectors can give", () => {
    const rows = [Float32Array.from([1, 0, 0]), Float32Array.from([0, 1, 0])];
    expect(() => fitPca(rows, 2)).to.throw("PCA of 2 vectors of dimension 3 to 2: need more vectors than components");
  });

  it("refuses an asset whose shapes do not match", () => {
    const bad = Buffer.from(
      JSON.stringify({
        kind: "pca",
        inputDimension: 3,
        outputDimension: 1,
        mean: [0, 0],
        components: [[1, 0, 0]],
        variances: [1],
      }),
    );
    expect(() => Projection.parse(bad, "bad.json")).to.throw(
      "projection bad.json: mean and components do not match 1x3",
    );
  });
});
