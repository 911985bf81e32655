/** What the recipe app does: ask for an upload URL, PUT the photo to S3, poll for the verdict. */
import { waitFor } from "../../shared/poll";
import type { PhotoRecord } from "../contract";

/** The API's view of a photo (GET /photos/{id}). */
export type Verdict = Omit<PhotoRecord, "contentType" | "objectKey">;

export interface Upload {
  photoId: string;
  /** When S3 accepted the upload, by the phone's clock. */
  uploadedAt: number;
}

export async function uploadPhoto(apiUrl: string, bytes: Uint8Array, contentType: string): Promise<Upload> {
  const created = await fetch(`${apiUrl}/photos`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ contentType, contentLength: bytes.length }),
  });
  if (created.status !== 201) throw new Error(`POST /photos: HTTP ${created.status}: ${await created.text()}`);
  const { photoId, upload } = (await created.json()) as {
    photoId: string;
    upload: { url: string; method: string; headers: Record<string, string> };
  };
  const put = await fetch(upload.url, { method: upload.method, headers: upload.headers, body: bytes });
  if (!put.ok) throw new Error(`PUT to the pre-signed URL: HTTP ${put.status}: ${await put.text()}`);
  return { photoId, uploadedAt: Date.now() };
}

/** Undefined while the API has no record (uploads that bypassed it, e.g. a backfill). */
export async function getVerdict(apiUrl: string, photoId: string): Promise<Verdict | undefined> {
  const res = await fetch(`${apiUrl}/photos/${encodeURIComponent(photoId)}`);
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`GET /photos/${photoId}: HTTP ${res.status}: ${await res.text()}`);
  return (await res.json()) as Verdict;
}

export async function waitForVerdict(
  apiUrl: string,
  photoId: string,
  timeoutMs = 60_000,
  pollMs = 20,
): Promise<Verdict & { seenAt: number }> {
  const verdict = await waitFor(
    `a verdict for photo ${photoId}`,
    async () => {
      const v = await getVerdict(apiUrl, photoId);
      // A record without a status is one moto server is still writing: its UpdateItem applies
      // attributes one at a time, visible to a concurrent read (DynamoDB itself is atomic per item).
      return v?.status && v.status !== "pending" ? v : undefined;
    },
    timeoutMs,
    pollMs,
  );
  return { ...verdict, seenAt: Date.now() };
}

export function contentTypeOf(file: string): string {
  if (/\.jpe?g$/i.test(file)) return "image/jpeg";
  if (/\.png$/i.test(file)) return "image/png";
  if (/\.webp$/i.test(file)) return "image/webp";
  throw new Error(`${file}: not a JPEG, PNG or WebP file name`);
}
