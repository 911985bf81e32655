/** Tests only: what the worker's integration tests feed it: sample photos, and S3 notifications sent by hand. */
import { readdir, readFile } from "node:fs/promises";
import * as path from "node:path";
import { LABELLED_PHOTOS } from "../model/paths";

/** The first `count` food photos of the labelled set, in name order so that every run uploads the same ones. */
export async function foodPhotos(count: number): Promise<Buffer[]> {
  const dir = path.join(LABELLED_PHOTOS, "food");
  return Promise.all(
    (await readdir(dir))
      .sort()
      .slice(0, count)
      .map((f) => readFile(path.join(dir, f))),
  );
}

/** The body of an S3 event notification for `objects`, their keys form-encoded as S3 writes them. */
export const s3Event = (bucket: string, objects: { key: string; versionId?: string }[]): string =>
  JSON.stringify({
    Records: objects.map(({ key, versionId }) => ({
      eventVersion: "2.1",
      eventSource: "aws:s3",
      eventName: "ObjectCreated:Put",
      eventTime: new Date().toISOString(),
      s3: {
        bucket: { name: bucket },
        object: { key: encodeURIComponent(key).replace(/%20/g, "+"), size: 1, versionId },
      },
    })),
  });
