/**
 * The front's query embedder: the same preprocessing and embedders as the builds, one per
 * embedding version the front serves (two during a model roll-out), preferred first. A photo the
 * preprocessing refuses is a BadPhoto naming why, as the photo API names it.
 */
import { ImageRejected, toModelInput, type ImageLimits } from "../../shared/image-model/preprocess";
import type { Embedder } from "../embedder/embedder";
import { BadPhoto, type QueryEmbedder } from "./app";

export class EmbedderSet implements QueryEmbedder {
  readonly versions: readonly string[];

  constructor(
    private readonly embedders: readonly Embedder[],
    private readonly limits: ImageLimits,
  ) {
    this.versions = embedders.map((e) => e.version);
  }

  async embed(photo: Buffer): Promise<Map<string, number[]>> {
    let input: Float32Array;
    try {
      input = await toModelInput(photo, this.limits);
    } catch (err) {
      if (err instanceof ImageRejected) throw new BadPhoto(err.message);
      throw err;
    }
    const out = new Map<string, number[]>();
    for (const embedder of this.embedders) {
      const [vector] = await embedder.embed([input]);
      out.set(embedder.version, Array.from(vector));
    }
    return out;
  }

  async close(): Promise<void> {
    await Promise.all(this.embedders.map((e) => e.close()));
  }
}
