/**
 * Pre-signed PUT URLs for phone uploads. Content-Type and Content-Length are signed, so S3
 * refuses an upload of another type or size than the one the app declared (and we bounded).
 */
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";

export interface UploadUrl {
  url: string;
  method: "PUT";
  headers: { "Content-Type": string; "Content-Length": string };
  expiresAt: string;
}

export async function presignUpload(
  s3: S3Client,
  target: { bucket: string; key: string; contentType: string; contentLength: number; expiresInSeconds: number },
  now: Date,
): Promise<UploadUrl> {
  const command = new PutObjectCommand({
    Bucket: target.bucket,
    Key: target.key,
    ContentType: target.contentType,
    ContentLength: target.contentLength,
  });
  const url = await getSignedUrl(s3, command, {
    expiresIn: target.expiresInSeconds,
    signableHeaders: new Set(["content-type", "content-length"]),
    signingDate: now,
  });
  return {
    url,
    method: "PUT",
    headers: { "Content-Type": target.contentType, "Content-Length": String(target.contentLength) },
    expiresAt: new Date(now.getTime() + target.expiresInSeconds * 1000).toISOString(),
  };
}
