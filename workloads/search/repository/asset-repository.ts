/**
 * The versioned asset repository on S3: segment files, manifests, the pointers that publish
 * them, and run records. Everything a build writes goes under its own build id, so a crashed
 * or concurrent build never overwrites what a reader may be loading; only the pointer, written
 * last, makes a segment visible. Readers verify every file against the manifest's sha256.
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { stat } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import type { Readable } from "node:stream";
import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { z } from "zod";
import type { Tier } from "../segments/windows";
import { pointerKey } from "../segments/keys";
import { Manifest, Pointer, type SegmentFile } from "../segments/manifest";

export const sha256 = (bytes: Uint8Array | string) => createHash("sha256").update(bytes).digest("hex");

export async function fileSha256(file: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(file), hash);
  return hash.digest("hex");
}

/** A window's pointer as read, with the ETag a conditional publish compares against. */
export interface PointerState {
  pointer: Pointer | undefined;
  etag: string | null;
}

/** Another build moved a window's pointer after this one read it. */
export class PublishConflict extends Error {
  constructor(
    readonly pointer: Pointer,
    readonly seenBuildId: string | null,
    readonly currentBuildId: string | null,
  ) {
    super(
      `${pointer.tier} ${pointer.window}: build ${currentBuildId ?? "(unknown)"} published it after this build ` +
        `read ${seenBuildId ? `build ${seenBuildId}'s pointer` : "no pointer"}; not replacing it ` +
        "(re-run with --force to publish this build over it)",
    );
    this.name = "PublishConflict";
  }
}

export class AssetRepository {
  constructor(
    readonly s3: S3Client,
    readonly bucket: string,
  ) {}

  /** Uploads a local file (streamed: an index can be gigabytes) and describes it for the manifest. */
  async putFile(key: string, file: string): Promise<SegmentFile> {
    const [digest, { size }] = await Promise.all([fileSha256(file), stat(file)]);
    const res = await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: createReadStream(file),
        ContentLength: size,
        ChecksumSHA256: Buffer.from(digest, "hex").toString("base64"),
      }),
    );
    return { key, versionId: res.VersionId ?? null, sha256: digest, bytes: size };
  }

  async putJson(key: string, value: unknown): Promise<SegmentFile> {
    const body = `${JSON.stringify(value, null, 2)}\n`;
    const res = await this.s3.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: "application/json" }),
    );
    return { key, versionId: res.VersionId ?? null, sha256: sha256(body), bytes: Buffer.byteLength(body) };
  }

  async getBytes(key: string, versionId?: string | null): Promise<Uint8Array | undefined> {
    try {
      const res = await this.s3.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, VersionId: versionId ?? undefined }),
      );
      return await (res.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
    } catch (err) {
      if (err instanceof NoSuchKey || (err as Error).name === "NoSuchKey") return undefined;
      throw err;
    }
  }

  async getJson<S extends z.ZodType>(
    schema: S,
    key: string,
    versionId?: string | null,
  ): Promise<z.output<S> | undefined> {
    const bytes = await this.getBytes(key, versionId);
    if (!bytes) return undefined;
    const parsed = schema.safeParse(JSON.parse(Buffer.from(bytes).toString("utf8")));
    if (!parsed.success)
      throw new Error(
        `s3://${this.bucket}/${key}: ${parsed.error.issues[0].path.join(".")}: ${parsed.error.issues[0].message}`,
      );
    return parsed.data;
  }

  /** Downloads a segment file to `dest`, refusing it unless it matches the manifest's hash. */
  async fetchVerified(file: SegmentFile, dest: string): Promise<void> {
    const res = await this.s3.send(
      new GetObjectCommand({ Bucket: this.bucket, Key: file.key, VersionId: file.versionId ?? undefined }),
    );
    await pipeline(res.Body as Readable, createWriteStream(dest));
    const digest = await fileSha256(dest);
    if (digest !== file.sha256)
      throw new Error(`s3://${this.bucket}/${file.key}: sha256 ${digest} does not match the manifest's ${file.sha256}`);
  }

  async readPointer(tier: Tier, window: string): Promise<Pointer | undefined> {
    return (await this.readPointerState(tier, window)).pointer;
  }

  /**
   * A window's pointer and the ETag it was read at: what `publish` compares against, so a build
   * moves the pointer only from the state it saw when it started.
   */
  async readPointerState(tier: Tier, window: string): Promise<PointerState> {
    const key = pointerKey(tier, window);
    try {
      const res = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const text = await (res.Body as { transformToString(): Promise<string> }).transformToString();
      const parsed = Pointer.safeParse(JSON.parse(text));
      if (!parsed.success)
        throw new Error(
          `s3://${this.bucket}/${key}: ${parsed.error.issues[0].path.join(".")}: ${parsed.error.issues[0].message}`,
        );
      return { pointer: parsed.data, etag: res.ETag ?? null };
    } catch (err) {
      if (err instanceof NoSuchKey || (err as Error).name === "NoSuchKey") return { pointer: undefined, etag: null };
      throw err;
    }
  }

  /** The published manifest of a window, checked against its pointer, or undefined if none is published. */
  async readPublished(tier: Tier, window: string): Promise<{ pointer: Pointer; manifest: Manifest } | undefined> {
    const pointer = await this.readPointer(tier, window);
    if (!pointer) return undefined;
    const bytes = await this.getBytes(pointer.manifestKey, pointer.manifestVersionId);
    if (!bytes) throw new Error(`${tier} ${window}: pointer names ${pointer.manifestKey}, which is gone`);
    if (sha256(bytes) !== pointer.manifestSha256)
      throw new Error(`${tier} ${window}: manifest ${pointer.manifestKey} does not match its pointer's sha256`);
    const manifest = Manifest.parse(JSON.parse(Buffer.from(bytes).toString("utf8")));
    return { pointer, manifest };
  }

  /**
   * Makes a segment visible: one conditional PUT of the pointer, which S3 applies atomically and
   * only if the pointer is still as `seen` (If-Match its ETag, or If-None-Match when there was
   * none). Two builds of one window (a forced rebuild racing the schedule) therefore never
   * replace each other's segment silently: the later one gets a PublishConflict.
   */
  async publish(pointer: Pointer, seen: PointerState): Promise<void> {
    const key = pointerKey(pointer.tier, pointer.window);
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: `${JSON.stringify(pointer, null, 2)}\n`,
          ContentType: "application/json",
          ...(seen.etag ? { IfMatch: seen.etag } : { IfNoneMatch: "*" }),
        }),
      );
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      // 412: the condition failed; 409: another conditional write to the key was in progress.
      if (status !== 412 && status !== 409) throw err;
      const now = await this.readPointer(pointer.tier, pointer.window);
      throw new PublishConflict(pointer, seen.pointer?.buildId ?? null, now?.buildId ?? null);
    }
  }
}
