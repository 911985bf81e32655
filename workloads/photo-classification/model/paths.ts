/** Where scripts/setup puts the built model and the labelled photo set (see MODEL.md). */
import * as path from "node:path";
import { REPO_ROOT as ROOT } from "../../shared/repo-root";

export const BUILT_MODEL = path.join(ROOT, ".cache", "model", "food-classifier.onnx");
/** The head's training figures (build/train_head.py), next to the model. */
export const MODEL_FIGURES = path.join(ROOT, ".cache", "model", "food-classifier.figures.json");
/** The model before the head: food_score is the zero-shot ImageNet food-class sum. */
export const ZERO_SHOT_MODEL = path.join(ROOT, ".cache", "model", "food-classifier-zero-shot.onnx");
/** The original photos (IFCT foods, scikit-image photographs) the tests and the local demo use. */
export const LABELLED_PHOTOS = path.join(ROOT, ".cache", "datasets", "food-vs-not-food");
/** The normalised labelled set with its manifest and train / held-out split (build/labelled-set.ts). */
export const LABELLED_SET = path.join(ROOT, ".cache", "datasets", "food-photos");

/** The ImageNet classes whose probability counts toward "food" (the build reads the same file). */
export const FOOD_CLASSES_FILE = path.join(
  ROOT,
  "workloads",
  "photo-classification",
  "model",
  "build",
  "food_classes.json",
);
