/**
 * What the API and the worker agree on: the verdicts, the failure reasons, and the body of
 * the worker's result report. Both sides validate with the same schema.
 */
import { z } from "zod";

export const UPLOAD_CONTENT_TYPES = ["image/jpeg", "image/png", "image/webp"] as const;
export const FAILURE_REASONS = [
  "empty",
  "too-large",
  "not-an-image",
  "unsupported-format",
  "corrupt",
  "object-not-found",
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];
export type PhotoStatus = "pending" | "food" | "not-food" | "failed";

const timestamp = z.iso.datetime({ offset: true });

export const resultReport = z.discriminatedUnion("status", [
  z.object({
    status: z.enum(["food", "not-food"]),
    score: z.number().min(0).max(1),
    modelVersion: z.string().min(1).max(200),
    objectKey: z.string().min(1).max(1024),
    uploadedAt: timestamp,
    classifiedAt: timestamp,
  }),
  z.object({
    status: z.literal("failed"),
    reason: z.enum(FAILURE_REASONS),
    detail: z.string().max(500).optional(),
    modelVersion: z.string().min(1).max(200),
    objectKey: z.string().min(1).max(1024),
    uploadedAt: timestamp,
    classifiedAt: timestamp,
  }),
]);
export type ResultReport = z.infer<typeof resultReport>;

export interface PhotoRecord {
  photoId: string;
  status: PhotoStatus;
  contentType?: string;
  createdAt: string;
  score?: number;
  reason?: FailureReason;
  detail?: string;
  modelVersion?: string;
  objectKey?: string;
  uploadedAt?: string;
  classifiedAt?: string;
  storedAt?: string;
}

/**
 * Photo ids travel in URL paths and S3 keys: printable, bounded, no leading or trailing space,
 * and not "." or ".." (URL paths normalise those away). The API refuses any other id, and the
 * worker parses upload keys with this same schema, so a key the API would refuse is known as
 * such before any work is done on it.
 */
export const photoId = z
  .string()
  .min(1)
  .max(512)
  .refine(
    (id) => id === id.trim() && ![...id].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f),
    "printable characters only, no surrounding spaces",
  )
  .refine((id) => id !== "." && id !== "..", 'not "." or ".."');

/** Names the first invalid field and what was expected, for a 400 answer or a log line. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join(".") : "body"}: ${i.message}`).join("; ");
}
