/**
 * The photo API: hands out upload URLs, answers verdicts, and takes the worker's results on an
 * internal, token-protected endpoint. Plain node:http: three routes do not need a framework.
 */
import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { S3Client } from "@aws-sdk/client-s3";
import { z } from "zod";
import { HttpError, jsonListener, readJson, sendJson } from "../../shared/http";
import type { Logger } from "../../shared/log";
import {
  describeIssues,
  photoId as photoIdSchema,
  resultReport,
  UPLOAD_CONTENT_TYPES,
  type PhotoRecord,
} from "../contract";
import type { ApiSettings } from "./config";
import type { PhotoStore } from "./photo-store";
import { presignUpload } from "./upload-url";

const MAX_BODY_BYTES = 16 * 1024;

export interface ApiDeps {
  settings: ApiSettings;
  s3: S3Client;
  store: PhotoStore;
  log: Logger;
  now?: () => Date;
  /** Whether to take traffic (the load balancer's health check on /healthz); false while draining. Default true. */
  ready?: () => boolean;
}

/** The route template of a request: what the API dispatches on and labels its metrics with (HttpMetrics); undefined for no route. */
export function apiRoute(method: string, path: string): string | undefined {
  const parts = path.split("/").filter(Boolean);
  if (method === "GET" && path === "/healthz") return "/healthz";
  if (method === "POST" && path === "/photos") return "/photos";
  if (method === "GET" && parts.length === 2 && parts[0] === "photos") return "/photos/:id";
  if (
    method === "PUT" &&
    parts.length === 4 &&
    parts[0] === "internal" &&
    parts[1] === "photos" &&
    parts[3] === "result"
  )
    return "/internal/photos/:id/result";
  return undefined;
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new HttpError(400, describeIssues(parsed.error));
  return parsed.data;
}

function idFromPath(segment: string): string {
  let id: string;
  try {
    id = decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, `photo id ${segment}: not valid percent-encoding`);
  }
  const parsed = photoIdSchema.safeParse(id);
  if (!parsed.success) throw new HttpError(400, `photo id ${JSON.stringify(id)}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

const digest = (s: string) => createHash("sha256").update(s).digest();

export function photoView(record: PhotoRecord): Record<string, unknown> {
  const { photoId, status, score, reason, detail, modelVersion, createdAt, uploadedAt, classifiedAt, storedAt } =
    record;
  return { photoId, status, score, reason, detail, modelVersion, createdAt, uploadedAt, classifiedAt, storedAt };
}

export function createApi(deps: ApiDeps): RequestListener {
  const { settings, s3, store, log } = deps;
  const now = deps.now ?? (() => new Date());
  const ready = deps.ready ?? (() => true);
  const expectedToken = digest(settings.workerToken);
  const createBody = z.object({
    contentType: z.enum(UPLOAD_CONTENT_TYPES),
    contentLength: z.number().int().min(1).max(settings.maxUploadBytes, `at most ${settings.maxUploadBytes} bytes`),
  });

  function authorize(req: IncomingMessage): void {
    const header = req.headers.authorization ?? "";
    const token = header.startsWith("Bearer ") ? header.slice(7) : "";
    if (!token || !timingSafeEqual(digest(token), expectedToken))
      throw new HttpError(401, "a valid worker token is required");
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://api");
    const parts = url.pathname.split("/").filter(Boolean);
    const method = req.method ?? "GET";
    // One matcher for dispatch and for the metrics' route label, so the two cannot drift apart.
    const template = apiRoute(method, url.pathname);

    // The load balancer's health check: 503 once draining, so it stops sending new requests here.
    if (template === "/healthz") return sendJson(res, ready() ? 200 : 503, { ok: ready() });

    if (template === "/photos") {
      const body = parse(createBody, await readJson(req, MAX_BODY_BYTES));
      const id = randomUUID();
      const created = now();
      const key = `${settings.uploadPrefix}${id}`;
      const upload = await presignUpload(
        s3,
        {
          bucket: settings.uploadBucket,
          key,
          contentType: body.contentType,
          contentLength: body.contentLength,
          expiresInSeconds: settings.uploadUrlExpirySeconds,
        },
        created,
      );
      await store.createPending(id, body.contentType, created.toISOString());
      log.info({ photoId: id, contentType: body.contentType, contentLength: body.contentLength }, "upload url issued");
      return sendJson(res, 201, { photoId: id, upload, statusUrl: `/photos/${id}` });
    }

    if (template === "/photos/:id") {
      const record = await store.get(idFromPath(parts[1]));
      if (!record) throw new HttpError(404, `photo ${parts[1]} not found`);
      return sendJson(res, 200, photoView(record));
    }

    if (template === "/internal/photos/:id/result") {
      authorize(req);
      const id = idFromPath(parts[2]);
      const report = parse(resultReport, await readJson(req, MAX_BODY_BYTES));
      const { stored, record } = await store.storeResult(id, report, now().toISOString());
      log.info({ photoId: id, status: record.status, stored }, stored ? "result stored" : "duplicate result ignored");
      return sendJson(res, stored ? 201 : 200, { stored, photo: photoView(record) });
    }

    throw new HttpError(404, `no route for ${method} ${url.pathname}`);
  }

  // A refused token or a server-side failure is worth a warning; other refusals are the caller's.
  return jsonListener(log, route, (status) => status >= 500 || status === 401);
}
