/**
 * A small, real embedder: the preprocessed photo average-pooled to a grid of colours
 * (8x8x3 = 192-d by default), centred and L2-normalised. Similar-looking photos get similar
 * vectors, so it exercises every path of the builds; tests and the local run use it where the
 * CNN would cost minutes on two shared cores. Never the production embedder.
 */
import { INPUT_SIZE } from "../../shared/image-model/preprocess";
import { l2Normalise, type Embedder } from "./embedder";

export class PooledPixelsEmbedder implements Embedder {
  readonly dimension: number;
  readonly version: string;

  constructor(private readonly grid = 8) {
    if (INPUT_SIZE % grid !== 0) throw new Error(`grid ${grid} does not divide ${INPUT_SIZE}`);
    this.dimension = grid * grid * 3;
    this.version = `pooled-pixels-${grid}x${grid}@1`;
  }

  async embed(inputs: Float32Array[]): Promise<Float32Array[]> {
    const cell = INPUT_SIZE / this.grid;
    return inputs.map((input) => {
      const v = new Float32Array(this.dimension);
      for (let y = 0; y < INPUT_SIZE; y++)
        for (let x = 0; x < INPUT_SIZE; x++) {
          const o = ((Math.floor(y / cell) * this.grid + Math.floor(x / cell)) * 3) | 0;
          const p = (y * INPUT_SIZE + x) * 3;
          v[o] += input[p];
          v[o + 1] += input[p + 1];
          v[o + 2] += input[p + 2];
        }
      const area = cell * cell;
      for (let i = 0; i < v.length; i++) v[i] = v[i] / area / 255 - 0.5;
      return l2Normalise(v);
    });
  }

  async close(): Promise<void> {}
}
