/**
 * The pooled CNN features of every photo in the labelled set, for training the food head: the
 * embedder graph (the classifier's network without its head) run on exactly the input the worker
 * builds (shared/image-model/preprocess), so the head is trained on what it will see.
 * Writes OUT.f32 (float32 little-endian, one row of `width` values per photo, manifest order) and
 * OUT.json ({ width, photos: [{ file, label, split }] }).
 *   tsx features.ts EMBEDDER.onnx LABELLED_DIR OUT
 */
import { readFile, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { toModelInput } from "../../../shared/image-model/preprocess";
import { createSession, runBatch } from "../../../shared/image-model/session";
import type { ManifestEntry } from "./labelled-set";

const FEATURES = "features";
const BATCH = 16;

async function main(embedder: string, labelledDir: string, out: string): Promise<void> {
  const manifest = JSON.parse(await readFile(path.join(labelledDir, "manifest.json"), "utf8")) as {
    photos: ManifestEntry[];
  };
  const session = await createSession(embedder, { threads: 2, executionProvider: "cpu" }, [FEATURES]);
  const rows: Float32Array[] = [];
  try {
    for (let i = 0; i < manifest.photos.length; i += BATCH) {
      const chunk = manifest.photos.slice(i, i + BATCH);
      const inputs = await Promise.all(
        chunk.map(async (p) =>
          toModelInput(await readFile(path.join(labelledDir, p.file)), { maxBytes: 50_000_000, maxPixels: 1e8 }),
        ),
      );
      const batch = new Float32Array(inputs.reduce((n, x) => n + x.length, 0));
      inputs.forEach((x, j) => batch.set(x, j * x.length));
      rows.push(await runBatch(session, batch, chunk.length, FEATURES));
    }
  } finally {
    await session.release();
  }
  const all = new Float32Array(rows.reduce((n, r) => n + r.length, 0));
  let at = 0;
  for (const r of rows) {
    all.set(r, at);
    at += r.length;
  }
  const width = all.length / manifest.photos.length;
  await writeFile(`${out}.f32`, Buffer.from(all.buffer, all.byteOffset, all.byteLength));
  const photos = manifest.photos.map(({ file, label, split }) => ({ file, label, split }));
  await writeFile(`${out}.json`, JSON.stringify({ width, photos }) + "\n");
  console.log(`features: ${photos.length} photos x ${width} into ${out}.f32`);
}

if (require.main === module) {
  const [embedder, labelledDir, out] = process.argv.slice(2);
  if (!embedder || !labelledDir || !out) {
    console.error("usage: features.ts EMBEDDER.onnx LABELLED_DIR OUT");
    process.exit(2);
  }
  main(embedder, labelledDir, out).catch((err: Error) => {
    console.error(`features: ${err.message}`);
    process.exit(1);
  });
}
