/**
 * Food / not-food accuracy on the labelled set's held-out split (the photos the head's training
 * never saw), for both of the model's scores: the trained head (`food_score`) and the zero-shot
 * baseline (`zero_shot_score`), each at its own threshold. Food is the positive class.
 */
import { readFile } from "node:fs/promises";
import * as path from "node:path";
import { toModelInput } from "../../../workloads/shared/image-model/preprocess";
import { createSession, runBatch, type SessionOptions } from "../../../workloads/shared/image-model/session";
import { FOOD_SCORE, ZERO_SHOT_SCORE } from "../../../workloads/photo-classification/model/classifier";
import type { ManifestEntry } from "../../../workloads/photo-classification/model/build/labelled-set";

export interface ScoreFigures {
  /** Threshold-free: the chance a random food photo outscores a random not-food one. */
  rocAuc: number;
  threshold: number;
  /** Of the photos called food, the share that are. */
  precision: number;
  /** Of the food photos, the share called food. */
  recall: number;
  notFoodRecall: number;
}

export interface Accuracy {
  food: number;
  notFood: number;
  head: ScoreFigures;
  zeroShot: ScoreFigures;
}

export function rocAuc(food: number[], notFood: number[]): number {
  let wins = 0;
  for (const f of food) for (const n of notFood) wins += f > n ? 1 : f === n ? 0.5 : 0;
  return wins / (food.length * notFood.length);
}

export function figuresAt(food: number[], notFood: number[], threshold: number): ScoreFigures {
  const tp = food.filter((s) => s >= threshold).length;
  const fp = notFood.filter((s) => s >= threshold).length;
  return {
    rocAuc: rocAuc(food, notFood),
    threshold,
    precision: tp + fp === 0 ? 1 : tp / (tp + fp),
    recall: tp / food.length,
    notFoodRecall: (notFood.length - fp) / notFood.length,
  };
}

export async function measureAccuracy(
  modelPath: string,
  options: SessionOptions,
  labelledDir: string,
  thresholds: { head: number; zeroShot: number },
): Promise<Accuracy> {
  const manifest = JSON.parse(await readFile(path.join(labelledDir, "manifest.json"), "utf8")) as {
    photos: ManifestEntry[];
  };
  const heldOut = manifest.photos.filter((p) => p.split === "held-out");
  const session = await createSession(modelPath, options, [FOOD_SCORE, ZERO_SHOT_SCORE]);
  const head: number[] = [];
  const zeroShot: number[] = [];
  try {
    for (const photo of heldOut) {
      const input = await toModelInput(await readFile(path.join(labelledDir, photo.file)), {
        maxBytes: 50_000_000,
        maxPixels: 100_000_000,
      });
      head.push((await runBatch(session, input, 1, FOOD_SCORE))[0]);
      zeroShot.push((await runBatch(session, input, 1, ZERO_SHOT_SCORE))[0]);
    }
  } finally {
    await session.release();
  }
  const byLabel = (scores: number[], label: ManifestEntry["label"]) =>
    scores.filter((_, i) => heldOut[i].label === label);
  return {
    food: byLabel(head, "food").length,
    notFood: byLabel(head, "not-food").length,
    head: figuresAt(byLabel(head, "food"), byLabel(head, "not-food"), thresholds.head),
    zeroShot: figuresAt(byLabel(zeroShot, "food"), byLabel(zeroShot, "not-food"), thresholds.zeroShot),
  };
}
