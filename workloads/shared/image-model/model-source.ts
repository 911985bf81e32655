/**
 * Where the model comes from: a local path, or `s3://bucket/key` with an optional
 * `?versionId=` so a deployment pins one object version. The version stored with every
 * result is the file's name and content hash, so two workers report the same version exactly
 * when they run the same bytes, whichever way they got them.
 */
import { createHash } from "node:crypto";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { isS3Uri, parseS3Uri } from "../s3-uri";

export interface ModelSource {
  kind: "file" | "s3";
  bucket?: string;
  key?: string;
  versionId?: string;
  path?: string;
}

export interface ResolvedModel {
  path: string;
  version: string;
}

export function parseModelUri(uri: string): ModelSource {
  if (isS3Uri(uri)) {
    const { bucket, key, versionId } = parseS3Uri(uri, "MODEL_URI");
    return { kind: "s3", bucket, key, versionId };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri))
    throw new Error(`MODEL_URI ${uri}: only local paths and s3:// URIs are supported`);
  if (!uri) throw new Error("MODEL_URI is empty");
  return { kind: "file", path: path.resolve(uri) };
}

export function modelVersion(fileName: string, bytes: Uint8Array): string {
  const digest = createHash("sha256").update(bytes).digest("hex").slice(0, 12);
  return `${path.basename(fileName).replace(/\.onnx$/, "")}@sha256:${digest}`;
}

export async function resolveModel(uri: string, s3: S3Client): Promise<ResolvedModel> {
  const source = parseModelUri(uri);
  if (source.kind === "file") {
    const file = source.path as string;
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (err) {
      throw new Error(`MODEL_URI ${uri}: cannot read ${file}: ${(err as Error).message}`);
    }
    return { path: file, version: modelVersion(file, bytes) };
  }
  let bytes: Uint8Array;
  try {
    const res = await s3.send(
      new GetObjectCommand({ Bucket: source.bucket, Key: source.key, VersionId: source.versionId }),
    );
    bytes = await (res.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
  } catch (err) {
    throw new Error(`MODEL_URI ${uri}: cannot download: ${(err as Error).name}: ${(err as Error).message}`);
  }
  const file = path.join(await mkdtemp(path.join(tmpdir(), "model-")), path.basename(source.key as string));
  await writeFile(file, bytes);
  return { path: file, version: modelVersion(file, bytes) };
}
