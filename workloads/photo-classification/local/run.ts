/**
 * The photo-classification story end to end on embedded AWS (the README's main command):
 * moto server, the bucket -> queue notification and table, the API and a worker; sample photos
 * uploaded through pre-signed URLs as the phone does; each verdict printed with its latency.
 *   tsx workloads/photo-classification/local/run.ts [--photos N]
 */
import { mkdir, readdir, readFile } from "node:fs/promises";
import * as path from "node:path";
import { startEmbeddedAws } from "../../../scripts/embedded-aws";
import { REPO_ROOT } from "../../shared/repo-root";
import pino from "pino";
import { createLogger } from "../../shared/log";
import { loadWorkerSettings } from "../worker/config";
import { FOOD_CLASSES_FILE, LABELLED_PHOTOS } from "../model/paths";
import { createPhotoEnvironment } from "./environment";
import { contentTypeOf, uploadPhoto, waitForVerdict } from "./phone";
import { startStory } from "./story";

async function samples(count: number): Promise<{ label: string; file: string }[]> {
  const pick = async (label: string, n: number) => {
    const files = (await readdir(path.join(LABELLED_PHOTOS, label))).sort();
    const step = Math.max(1, Math.floor(files.length / n));
    return files
      .filter((_, i) => i % step === 0)
      .slice(0, n)
      .map((f) => ({ label, file: path.join(LABELLED_PHOTOS, label, f) }));
  };
  const half = Math.ceil(count / 2);
  return [...(await pick("food", half)), ...(await pick("not-food", count - half))];
}

const LOG_FILE = path.join(REPO_ROOT, ".cache", "local-run", "photo-services.log");

async function main(): Promise<void> {
  const count = Number(process.argv[process.argv.indexOf("--photos") + 1] ?? "") || 12;
  // The API's and the worker's JSON logs go to a file, so the story below stays readable.
  await mkdir(path.dirname(LOG_FILE), { recursive: true });
  const logFile = pino.destination({ dest: LOG_FILE, sync: true, append: false });
  const log = createLogger("local-run", logFile);
  const aws = await startEmbeddedAws();
  try {
    const env = await createPhotoEnvironment(aws);
    const story = await startStory(env, log);
    const settings = loadWorkerSettings(env.workerEnv(story.api.url, {}));
    const foodClasses = Object.keys(
      (JSON.parse(await readFile(FOOD_CLASSES_FILE, "utf8")) as { classes: object }).classes,
    ).length;
    console.log(`embedded AWS (moto server) at ${aws.endpoint}; photo API at ${story.api.url}; one worker`);
    console.log(`service logs (JSON, API and worker): ${path.relative(process.cwd(), LOG_FILE)}`);
    try {
      const photos = await samples(count);
      const sample = await readFile(photos[0].file);
      // A real photo cut off part-way, as an interrupted upload leaves it: it must get a `failed` verdict.
      const truncated = sample.subarray(0, Math.floor(sample.length * 0.6));
      const rows = await Promise.all([
        ...photos.map(async ({ label, file }) => {
          const upload = await uploadPhoto(story.api.url, await readFile(file), contentTypeOf(file));
          const verdict = await waitForVerdict(story.api.url, upload.photoId);
          return { photo: `${label}/${path.basename(file)}`, verdict, latencyMs: verdict.seenAt - upload.uploadedAt };
        }),
        (async () => {
          const upload = await uploadPhoto(story.api.url, truncated, "image/jpeg");
          const verdict = await waitForVerdict(story.api.url, upload.photoId);
          const photo = `${path.basename(photos[0].file)} cut to 60%`;
          return { photo, verdict, latencyMs: verdict.seenAt - upload.uploadedAt };
        })(),
      ]);
      console.log(
        `\nEach photo was uploaded through a pre-signed URL, classified by the worker and read back from the API.` +
          `\n  score   = the food head's probability (trained on the labelled set; the zero-shot mass of ${foodClasses}` +
          ` ImageNet food classes stays in the graph as the baseline);` +
          ` food when score >= ${settings.foodThreshold} (FOOD_THRESHOLD)` +
          `\n  latency = upload finished to verdict readable through the API` +
          `\n  label   = the folder the photo came from (food / not-food); the model's measured accuracy is in` +
          ` workloads/photo-classification/model/MODEL.md and \`npm run bench\``,
      );
      console.log(
        `\n${"photo".padEnd(28)} ${"label".padEnd(9)} ${"verdict".padEnd(9)} ${"score".padStart(6)}  ${"latency".padStart(8)}  detail`,
      );
      for (const { photo, verdict, latencyMs } of rows) {
        const score = verdict.score === undefined ? "" : verdict.score.toFixed(3);
        const label = photo.startsWith("food/") ? "food" : photo.startsWith("not-food/") ? "not-food" : "broken";
        const name = photo.replace(/^(food|not-food)\//, "");
        console.log(
          `${name.padEnd(28)} ${label.padEnd(9)} ${verdict.status.padEnd(9)} ${score.padStart(6)}  ${`${latencyMs} ms`.padStart(8)}  ${verdict.reason ? (verdict.detail ?? verdict.reason) : (verdict.modelVersion ?? "")}`,
        );
      }
      const right = rows.filter((r) =>
        r.photo.startsWith("food/")
          ? r.verdict.status === "food"
          : r.photo.startsWith("not-food/")
            ? r.verdict.status === "not-food"
            : r.verdict.status === "failed",
      );
      console.log(
        `\n${right.length}/${rows.length} verdicts match their label (the cut-off photo must fail). ` +
          `The head's held-out accuracy, and the bias of the set it was measured on, are in MODEL.md.`,
      );
    } finally {
      await story.stop();
    }
  } finally {
    await aws.stop();
    logFile.flushSync();
  }
}

main().catch((err: Error) => {
  console.error(`local run failed: ${err.stack ?? err.message}`);
  process.exit(1);
});
