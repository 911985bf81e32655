/** Where scripts/setup puts the embedder model and the offline photo sets. */
import * as path from "node:path";
import { REPO_ROOT as ROOT } from "../../shared/repo-root";

export const BUILT_EMBEDDER = path.join(ROOT, ".cache", "model", "image-embedder.onnx");
export const PHOTO_SETS = path.join(ROOT, ".cache", "datasets", "food-vs-not-food");
