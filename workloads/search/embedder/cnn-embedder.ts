/**
 * The production embedder: EfficientNet-Lite0's pooled 1280-d features (scripts/build-model's
 * image-embedder.onnx) on an inference thread, optionally projected (PCA), L2-normalised.
 * CUDA when the options ask for it and a GPU is there; ORT falls back to the CPU otherwise.
 */
import type { SessionOptions } from "../../shared/image-model/session";
import { ThreadedModel } from "../../shared/image-model/threaded-model";
import { l2Normalise, type Embedder } from "./embedder";
import type { Projection } from "./projection";

export const FEATURES_OUTPUT = "features";
export const FEATURES_DIMENSION = 1280;

export class CnnEmbedder implements Embedder {
  readonly dimension: number;
  readonly version: string;

  private constructor(
    private readonly model: ThreadedModel,
    modelVersion: string,
    private readonly projection: Projection | undefined,
  ) {
    this.dimension = projection?.outputDimension ?? FEATURES_DIMENSION;
    this.version = projection ? `${modelVersion}+${projection.version}` : modelVersion;
  }

  static async load(
    modelPath: string,
    modelVersion: string,
    options: SessionOptions,
    projection?: Projection,
  ): Promise<CnnEmbedder> {
    if (projection && projection.inputDimension !== FEATURES_DIMENSION)
      throw new Error(
        `projection ${projection.version} takes ${projection.inputDimension}-d vectors, the model gives ${FEATURES_DIMENSION}`,
      );
    return new CnnEmbedder(await ThreadedModel.load(modelPath, FEATURES_OUTPUT, options), modelVersion, projection);
  }

  async embed(inputs: Float32Array[]): Promise<Float32Array[]> {
    const rows = await this.model.run(inputs);
    if (rows.length !== inputs.length * FEATURES_DIMENSION)
      throw new Error(
        `model gave ${rows.length} values for ${inputs.length} photos, expected ${FEATURES_DIMENSION} each`,
      );
    return inputs.map((_, i) => {
      // Normalise before projecting too: the projection was fitted on unit vectors.
      const features = l2Normalise(rows.slice(i * FEATURES_DIMENSION, (i + 1) * FEATURES_DIMENSION));
      return l2Normalise(this.projection ? this.projection.apply(features) : features);
    });
  }

  async close(): Promise<void> {
    await this.model.close();
  }
}
