/** Food / not-food accuracy of the model on the labelled photo set. */
import { readdir, readFile } from "node:fs/promises";
import * as path from "node:path";
import { toModelInput } from "../model/preprocess";
import { createSession, runBatch, type SessionOptions } from "../model/session";

export interface Accuracy {
  food: number;
  notFood: number;
  foodRecall: number;
  notFoodRecall: number;
  balancedAccuracy: number;
  accuracy: number;
  /** Threshold-free: the chance a random food photo outscores a random not-food one. */
  rocAuc: number;
}

export async function measureAccuracy(modelPath: string, options: SessionOptions, photosDir: string, threshold: number): Promise<Accuracy> {
  const session = await createSession(modelPath, options);
  const scores = async (label: string) => {
    const dir = path.join(photosDir, label);
    const out: number[] = [];
    for (const file of (await readdir(dir)).sort()) {
      const input = await toModelInput(await readFile(path.join(dir, file)), { maxBytes: 50_000_000, maxPixels: 100_000_000 });
      out.push((await runBatch(session, input, 1))[0]);
    }
    return out;
  };
  try {
    const food = await scores("food");
    const notFood = await scores("not-food");
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
    };
  } finally {
    await session.release();
  }
}
