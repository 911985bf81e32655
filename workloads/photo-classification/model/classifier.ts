/**
 * Food / not-food classification of preprocessed photos, batched, on an inference thread.
 */
import type { SessionOptions } from "../../shared/image-model/session";
import { ThreadedModel } from "../../shared/image-model/threaded-model";

/** The model's output the worker reads: the trained food head's probability (build/attach_head.py). */
export const FOOD_SCORE = "food_score";
/** The same graph's baseline: the summed ImageNet food-class probabilities (build/convert.py). */
export const ZERO_SHOT_SCORE = "zero_shot_score";

export interface Classifier {
  /** Stored with every result: which bytes produced the score. */
  readonly version: string;
  /** One food probability in [0, 1] per input. */
  classify(inputs: Float32Array[]): Promise<number[]>;
  /** Why the classifier can no longer classify (its thread died), or undefined while it can. */
  failure(): Error | undefined;
  close(): Promise<void>;
}

export class ThreadedClassifier implements Classifier {
  private constructor(
    private readonly model: ThreadedModel,
    readonly version: string,
  ) {}

  static async load(modelPath: string, version: string, options: SessionOptions): Promise<ThreadedClassifier> {
    return new ThreadedClassifier(await ThreadedModel.load(modelPath, FOOD_SCORE, options), version);
  }

  async classify(inputs: Float32Array[]): Promise<number[]> {
    return Array.from(await this.model.run(inputs));
  }

  failure(): Error | undefined {
    return this.model.failure();
  }

  async close(): Promise<void> {
    await this.model.close();
  }
}
