/** Food / not-food accuracy of the model on the labelled photo set. */
import { readdir, readFile } from "node:fs/promises";
import * as path from "node:path";
import { toModelInput } from "../../../workloads/shared/image-model/preprocess";
import { createSession, runBatch, type SessionOptions } from "../../../workloads/shared/image-model/session";
import { FOOD_SCORE } from "../../../workloads/photo-classification/model/classifier";

export interface Accuracy {
  food: number;
  notFood: number;
  foodRecall: number;
  notFoodRecall: number;
  balancedAccuracy: number;
  accuracy: number;
  /** Threshold-free: the chance a random food photo outscores a random not-food one. */
  rocAuc: number;
  /** A threshold chosen on one half of each class (even positions) and measured on the other. */
  heldOut: { threshold: number; foodRecall: number; notFoodRecall: number; balancedAccuracy: number };
}

function rates(food: number[], notFood: number[], threshold: number) {
  const foodRecall = food.filter((s) => s >= threshold).length / food.length;
  const notFoodRecall = notFood.filter((s) => s < threshold).length / notFood.length;
  return { foodRecall, notFoodRecall, balancedAccuracy: (foodRecall + notFoodRecall) / 2 };
}

/** The threshold with the best balanced accuracy on the calibration half; the higher one on ties. */
function calibrate(food: number[], notFood: number[]): number {
  let best = { threshold: 1, score: -1 };
  for (const threshold of [...new Set([...food, ...notFood])].sort((a, b) => b - a)) {
    const score = rates(food, notFood, threshold).balancedAccuracy;
    if (score > best.score) best = { threshold, score };
  }
  return best.threshold;
}

export async function measureAccuracy(
  modelPath: string,
  options: SessionOptions,
  photosDir: string,
  threshold: number,
): Promise<Accuracy> {
  const session = await createSession(modelPath, options, [FOOD_SCORE]);
  const scores = async (label: string) => {
    const dir = path.join(photosDir, label);
    const out: number[] = [];
    for (const file of (await readdir(dir)).sort()) {
      const input = await toModelInput(await readFile(path.join(dir, file)), {
        maxBytes: 50_000_000,
        maxPixels: 100_000_000,
      });
      out.push((await runBatch(session, input, 1, FOOD_SCORE))[0]);
    }
    return out;
  };
  try {
    const food = await scores("food");
    const notFood = await scores("not-food");
    const half = (xs: number[], parity: number) => xs.filter((_, i) => i % 2 === parity);
    const calibrated = calibrate(half(food, 0), half(notFood, 0));
    const heldOut = { threshold: calibrated, ...rates(half(food, 1), half(notFood, 1), calibrated) };
    const foodRight = food.filter((s) => s >= threshold).length;
    const notFoodRight = notFood.filter((s) => s < threshold).length;
    let wins = 0;
    for (const f of food) for (const n of notFood) wins += f > n ? 1 : f === n ? 0.5 : 0;
    return {
      food: food.length,
      notFood: notFood.length,
      foodRecall: foodRight / food.length,
      notFoodRecall: notFoodRight / notFood.length,
      balancedAccuracy: (foodRight / food.length + notFoodRight / notFood.length) / 2,
      accuracy: (foodRight + notFoodRight) / (food.length + notFood.length),
      rocAuc: wins / (food.length * notFood.length),
      heldOut,
    };
  } finally {
    await session.release();
  }
}
