/**
 * Fits the PCA projection asset on photos embedded by the CNN:
 *   tsx scripts/fit-projection.ts --photos N --dimension D --out FILE
 * (the first N of the offline photo sets; D must be below N). Upload FILE to the asset bucket
 * (`assets/projections/<version>.json`) and pin it with PROJECTION_URI=s3://...?versionId=...;
 * the embedding version of every vector then names it, so a new fit means a re-index.
 */
import { readFile, writeFile } from "node:fs/promises";
import { modelVersion } from "../workloads/shared/image-model/model-source";
import { toModelInput } from "../workloads/shared/image-model/preprocess";
import { loadPhotos } from "../workloads/search/local/environment";
import { CnnEmbedder } from "../workloads/search/embedder/cnn-embedder";
import { BUILT_EMBEDDER } from "../workloads/search/embedder/paths";
import { fitPca, Projection } from "../workloads/search/embedder/projection";

async function main(): Promise<void> {
  const option = (name: string, fallback?: string) => {
    const i = process.argv.indexOf(`--${name}`);
    const value = i >= 0 ? process.argv[i + 1] : fallback;
    if (value === undefined) throw new Error(`--${name} is required`);
    return value;
  };
  const count = Number(option("photos", "256"));
  const dimension = Number(option("dimension", "128"));
  const out = option("out");
  const embedder = await CnnEmbedder.load(
    BUILT_EMBEDDER,
    modelVersion(BUILT_EMBEDDER, await readFile(BUILT_EMBEDDER)),
    {
      threads: 2,
      executionProvider: "cpu",
    },
  );
  try {
    const limits = { maxBytes: 10_000_000, maxPixels: 40_000_000 };
    const inputs = await Promise.all([...(await loadPhotos(count)).values()].map((p) => toModelInput(p, limits)));
    const features: Float32Array[] = [];
    for (let i = 0; i < inputs.length; i += 16) features.push(...(await embedder.embed(inputs.slice(i, i + 16))));
    const projection = Projection.serialise(fitPca(features, dimension));
    await writeFile(out, projection.bytes);
    console.log(`wrote ${out}: ${projection.version} from ${features.length} embeddings of ${embedder.version}`);
  } finally {
    await embedder.close();
  }
}

main().catch((err: Error) => {
  console.error(`fit-projection failed: ${err.message}`);
  process.exit(1);
});
