/**
 * The one reader of `s3://bucket/key[?versionId=...]` handles: what a service's MODEL_URI or
 * PROJECTION_URI holds, what a stack's config pins, and what infra turns into the one object ARN
 * a role may read. Every error names the input it came from.
 */
import { z } from "zod";

export interface S3ObjectHandle {
  bucket: string;
  key: string;
  /** Pins one version of the object (`?versionId=`); absent reads the latest. */
  versionId?: string;
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const FORM = "expected s3://bucket/key, optionally ?versionId=...";

export const isS3Uri = (uri: string): boolean => uri.startsWith("s3://");

/** The handle in `uri`; `what` names the input in the error (`MODEL_URI`, `SearchFront embedderModelUri`). */
export function parseS3Uri(uri: string, what: string): S3ObjectHandle {
  const problem = s3UriProblem(uri);
  if (problem) throw new Error(`${what} ${JSON.stringify(uri)}: ${problem}`);
  const url = new URL(uri);
  const versionId = url.searchParams.get("versionId") ?? undefined;
  return { bucket: url.hostname, key: decodeURIComponent(url.pathname.slice(1)), ...(versionId ? { versionId } : {}) };
}

/** Why `uri` is not an S3 object handle, or undefined when it is one. */
function s3UriProblem(uri: string): string | undefined {
  if (!isS3Uri(uri)) return FORM;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return FORM;
  }
  if (!BUCKET.test(url.hostname)) return `${FORM} (bucket ${JSON.stringify(url.hostname)} is not an S3 bucket name)`;
  if (url.pathname.length <= 1) return `${FORM} (no key)`;
  const extra = [...url.searchParams.keys()].filter((k) => k !== "versionId");
  if (extra.length > 0) return `${FORM} (unknown parameter ${extra.join(", ")})`;
  if (url.searchParams.has("versionId") && !url.searchParams.get("versionId")) return `${FORM} (empty versionId)`;
  return undefined;
}

/** The ARN of the object (every version of it: IAM has no per-version object ARN). */
export const s3ObjectArn = (h: S3ObjectHandle): string => `arn:aws:s3:::${h.bucket}/${h.key}`;

/** A config or environment field holding an S3 object handle, refused with the parser's reason. */
export const s3UriSchema = (describe = ""): z.ZodString =>
  z.string().superRefine((uri, ctx) => {
    const problem = s3UriProblem(uri);
    if (problem) ctx.addIssue({ code: "custom", message: describe ? `${problem}: ${describe}` : problem });
  });
