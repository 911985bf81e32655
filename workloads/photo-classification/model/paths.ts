/** Where scripts/setup puts the built model and the labelled photo set (see MODEL.md). */
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..", "..");
export const BUILT_MODEL = path.join(ROOT, ".cache", "model", "food-classifier.onnx");
export const LABELLED_PHOTOS = path.join(ROOT, ".cache", "datasets", "food-vs-not-food");
