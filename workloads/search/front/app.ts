/**
 * The search front's HTTP API:
 *   POST /search?k=N  with a photo body (image/jpeg, image/png, image/webp): items like the photo
 *   POST /search      with JSON {"itemId": "...", "k": N}: items like that item's photo
 *   GET  /healthz     200 while the front has at least one ready segment to ask, else 503
 * Answers list items closest first with their distance and the segment that found each, and say
 * `partial: true` with the windows that could not be searched.
 */
import type { IncomingMessage, RequestListener } from "node:http";
import { z } from "zod";
import { HttpError, jsonListener, readBody, readJson, sendJson } from "../../shared/http";
import type { Logger } from "../../shared/log";
import type { Discovery } from "./discovery";
import { ItemNotFound, type Searcher, type SearchResult } from "./searcher";

export const PHOTO_CONTENT_TYPES = ["image/jpeg", "image/png", "image/webp"] as const;

/** Turns a query photo into a vector per embedding version the front can make, preferred first. */
export interface QueryEmbedder {
  versions: readonly string[];
  /** Throws `BadPhoto` for a photo that cannot be used, naming why. */
  embed(photo: Buffer, contentType: string): Promise<Map<string, number[]>>;
}

export class BadPhoto extends Error {}

export interface FrontOptions {
  maxK: number;
  defaultK: number;
  /** Upload size limit, bytes (the photo API's limit). */
  maxPhotoBytes: number;
}

export interface FrontDeps {
  searcher: Searcher;
  discovery: Discovery;
  embedder: QueryEmbedder;
  options: FrontOptions;
  log: Logger;
  now?: () => Date;
  /** Called with every search's result (metrics). */
  observe?: (result: SearchResult) => void;
}

export function createFront(deps: FrontDeps): RequestListener {
  const { searcher, discovery, embedder, options, log } = deps;
  const now = deps.now ?? (() => new Date());
  const kSchema = z.coerce
    .number()
    .int("k must be a whole number")
    .min(1, "k must be at least 1")
    .max(options.maxK, `k must be at most ${options.maxK}`);
  const byItem = z.object({ itemId: z.string().min(1).max(200), k: kSchema.default(options.defaultK) }).strict();

  const parseK = (raw: string | null) => {
    if (raw === null) return options.defaultK;
    const k = kSchema.safeParse(raw);
    if (!k.success) throw new HttpError(400, `k=${raw}: ${k.error.issues[0].message}`);
    return k.data;
  };

  async function query(
    req: IncomingMessage,
    url: URL,
  ): Promise<{ vectors: Map<string, number[]>; k: number; by: string }> {
    const type = (req.headers["content-type"] ?? "").split(";")[0].trim();
    if (type === "application/json") {
      const parsed = byItem.safeParse(await readJson(req, 16 * 1024));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new HttpError(400, `${issue.path.join(".") || "body"}: ${issue.message}`);
      }
      try {
        const vectors = await searcher.vectorsOf(parsed.data.itemId, embedder.versions);
        return { vectors, k: parsed.data.k, by: `item ${parsed.data.itemId}` };
      } catch (err) {
        if (err instanceof ItemNotFound) throw new HttpError(404, err.message);
        throw err;
      }
    }
    if ((PHOTO_CONTENT_TYPES as readonly string[]).includes(type)) {
      const k = parseK(url.searchParams.get("k"));
      const photo = await readBody(req, options.maxPhotoBytes);
      if (photo.length === 0) throw new HttpError(400, "the photo is empty");
      try {
        return { vectors: await embedder.embed(photo, type), k, by: `photo of ${photo.length} bytes` };
      } catch (err) {
        if (err instanceof BadPhoto) throw new HttpError(400, `the photo cannot be used: ${err.message}`);
        throw err;
      }
    }
    throw new HttpError(
      415,
      `content-type must be one of ${[...PHOTO_CONTENT_TYPES, "application/json"].join(", ")}, got ${type || "none"}`,
    );
  }

  const view = (result: SearchResult) => ({
    items: result.hits.map((h) => ({ itemId: h.itemId, distance: h.distance, segment: h.segmentId })),
    partial: result.partial,
    missing: result.missing.map((m) => ({
      start: m.start.toISOString(),
      end: m.end.toISOString(),
      segment: m.segmentId,
      reason: m.reason,
    })),
    uncovered: result.uncovered.map((w) => ({ start: w.start.toISOString(), end: w.end.toISOString() })),
    segments: result.segments,
    hosts: result.hosts,
  });

  return jsonListener(log, async (req, res) => {
    const url = new URL(req.url ?? "/", "http://front");
    if (req.method === "GET" && url.pathname === "/healthz") {
      const ready = discovery.current().length;
      return sendJson(res, ready > 0 ? 200 : 503, { segments: ready });
    }
    if (req.method === "POST" && url.pathname === "/search") {
      const started = Date.now();
      const { vectors, k, by } = await query(req, url);
      const result = await searcher.search(vectors, k, now());
      deps.observe?.(result);
      log.info(
        {
          by,
          k,
          segments: result.segments,
          hosts: result.hosts,
          partial: result.partial,
          hits: result.hits.length,
          ms: Date.now() - started,
        },
        "search",
      );
      return sendJson(res, 200, { ...view(result), tookMs: Date.now() - started });
    }
    throw new HttpError(404, `no route for ${req.method} ${url.pathname}`);
  });
}
