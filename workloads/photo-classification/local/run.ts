/**
 * The photo-classification story end to end on embedded AWS (the README's main command):
 * moto server, the bucket -> queue notification and table, the API and a worker; sample photos
 * uploaded through pre-signed URLs as the phone does; each verdict printed with its latency.
 *   tsx workloads/photo-classification/local/run.ts [--photos N]
 */
import { readdir, readFile } from "node:fs/promises";
import * as path from "node:path";
import { startEmbeddedAws } from "../../../scripts/embedded-aws";
import { createLogger } from "../../shared/log";
import { LABELLED_PHOTOS } from "../model/paths";
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

async function main(): Promise<void> {
  const count = Number(process.argv[process.argv.indexOf("--photos") + 1] ?? "") || 12;
  // Service logs go to stderr at warn level so the verdict table stays readable; LOG_LEVEL=info shows them all.
  const log = createLogger("local-run", process.stderr);
  if (!process.env.LOG_LEVEL) log.level = "warn";
  const aws = await startEmbeddedAws();
  try {
    const env = await createPhotoEnvironment(aws);
    const story = await startStory(env, log);
    console.log(`embedded AWS ${aws.endpoint}; API ${story.api.url}; bucket ${env.bucket}; queue ${env.queueUrl}`);
    try {
      const photos = await samples(count);
      const corrupt = Buffer.from("\xff\xd8\xff\xe0 this upload was cut off", "binary");
      const rows = await Promise.all([
        ...photos.map(async ({ label, file }) => {
          const upload = await uploadPhoto(story.api.url, await readFile(file), contentTypeOf(file));
          const verdict = await waitForVerdict(story.api.url, upload.photoId);
          return { photo: `${label}/${path.basename(file)}`, verdict, latencyMs: verdict.seenAt - upload.uploadedAt };
        }),
        (async () => {
          const upload = await uploadPhoto(story.api.url, corrupt, "image/jpeg");
          const verdict = await waitForVerdict(story.api.url, upload.photoId);
          return { photo: "a truncated JPEG", verdict, latencyMs: verdict.seenAt - upload.uploadedAt };
        })(),
      ]);
      console.log(
        `\n${"photo".padEnd(28)} ${"verdict".padEnd(9)} ${"score".padStart(6)}  ${"latency".padStart(8)}  detail`,
      );
      for (const { photo, verdict, latencyMs } of rows) {
        const score = verdict.score === undefined ? "" : verdict.score.toFixed(3);
        console.log(
          `${photo.padEnd(28)} ${verdict.status.padEnd(9)} ${score.padStart(6)}  ${`${latencyMs} ms`.padStart(8)}  ${verdict.reason ?? verdict.modelVersion ?? ""}`,
        );
      }
      const right = rows.filter((r) =>
        r.photo.startsWith("food/")
          ? r.verdict.status === "food"
          : r.photo.startsWith("not-food/")
            ? r.verdict.status === "not-food"
            : r.verdict.status === "failed",
      );
      console.log(`\n${right.length}/${rows.length} verdicts match their label (the truncated JPEG should fail).`);
    } finally {
      await story.stop();
    }
  } finally {
    await aws.stop();
  }
}

main().catch((err: Error) => {
  console.error(`local run failed: ${err.stack ?? err.message}`);
  process.exit(1);
});
