/** Where scripts/setup puts the built model and the labelled photo set (see MODEL.md). */
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..", "..");
export const BUILT_MODEL = path.join(ROOT, ".cache", "model", "food-classifier.onnx");
export const LABELLED_PHOTOS = path.join(ROOT, ".cache", "datasets", "food-vs-not-food");

/** The ImageNet classes whose probability counts toward "food" (the build reads the same file). */
export const FOOD_CLASSES_FILE = path.join(
  ROOT,
  "workloads",
  "photo-classification",
  "model",
  "build",
  "food_classes.json",
);
