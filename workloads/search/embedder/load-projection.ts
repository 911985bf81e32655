/** A projection asset from a path or `s3://bucket/key?versionId=` (pinned like the model). */
import { readFile } from "node:fs/promises";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { parseModelUri } from "../../shared/image-model/model-source";
import { Projection } from "./projection";

export async function loadProjection(uri: string, s3: S3Client): Promise<Projection> {
  const source = parseModelUri(uri);
  let bytes: Buffer;
  try {
    if (source.kind === "file") bytes = await readFile(source.path as string);
    else {
      const res = await s3.send(
        new GetObjectCommand({ Bucket: source.bucket, Key: source.key, VersionId: source.versionId }),
      );
      bytes = Buffer.from(await (res.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
    }
  } catch (err) {
    throw new Error(`PROJECTION_URI ${uri}: cannot read: ${(err as Error).message}`);
  }
  return Projection.parse(bytes, uri);
}
