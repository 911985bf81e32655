/**
 * Puts a generated feed on S3: the photos into the image store (their object versions pinned in
 * the events), then the feed objects under their hour partitions.
 */
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { GeneratedFeed } from "./generator";

export interface FeedTarget {
  feedBucket: string;
  imageBucket: string;
}

/** Uploads `photos` (key -> bytes); returns each key's object version. */
export async function uploadPhotos(
  s3: S3Client,
  bucket: string,
  photos: Map<string, Uint8Array>,
): Promise<Map<string, string>> {
  const versions = new Map<string, string>();
  for (const [key, bytes] of photos) {
    const res = await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, ContentType: "image/jpeg" }),
    );
    if (!res.VersionId) throw new Error(`s3://${bucket}: versioning must be enabled (no version for ${key})`);
    versions.set(key, res.VersionId);
  }
  return versions;
}

export async function writeFeed(
  s3: S3Client,
  feedBucket: string,
  feed: GeneratedFeed,
  photoVersions: Map<string, string>,
): Promise<void> {
  for (const object of feed.objects) {
    const body = object.lines
      .map((line) => {
        if ("raw" in line) return line.raw;
        if (!line.photo) return JSON.stringify(line);
        // A photo never uploaded still gets a plausible version id: the build must find it missing.
        const versionId = photoVersions.get(line.photo.key) ?? "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY";
        return JSON.stringify({ ...line, photo: { key: line.photo.key, versionId } });
      })
      .join("\n");
    await s3.send(
      new PutObjectCommand({
        Bucket: feedBucket,
        Key: object.key,
        Body: `${body}\n`,
        ContentType: "application/x-ndjson",
      }),
    );
  }
}
