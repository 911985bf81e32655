/**
 * The few HTTP pieces the services share (plain node:http: a handful of routes need no framework):
 * an error that carries its status, JSON answers, bounded body reads, and a request listener
 * that turns errors into answers.
 */
import type { IncomingMessage, RequestListener, Server, ServerResponse } from "node:http";
import type { Logger } from "./log";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
  });
  res.end(text);
}

/** The whole body, refused with 413 past `maxBytes` (the rest is not read). */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? NaN);
  if (declared > maxBytes) throw new HttpError(413, `body of ${declared} bytes exceeds ${maxBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new HttpError(413, `body exceeds ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const type = req.headers["content-type"] ?? "";
  if (!type.startsWith("application/json"))
    throw new HttpError(415, `content-type must be application/json, got ${type || "none"}`);
  const body = await readBody(req, maxBytes);
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (err) {
    throw new HttpError(400, `body is not JSON: ${(err as Error).message}`);
  }
}

/**
 * Runs `route`; an HttpError becomes its status and message (logged as a warning where `warnOn`
 * says so), anything else a logged 500.
 */
export function jsonListener(
  log: Logger,
  route: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  warnOn: (status: number) => boolean = (status) => status >= 500,
): RequestListener {
  return (req, res) => {
    route(req, res).catch((err: unknown) => {
      if (err instanceof HttpError) {
        if (warnOn(err.status)) log.warn({ status: err.status, path: req.url }, err.message);
        return sendJson(res, err.status, { error: err.message });
      }
      log.error({ err, method: req.method, url: req.url }, "request failed");
      if (!res.headersSent) sendJson(res, 500, { error: "internal error" });
      else res.destroy();
    });
  };
}

/**
 * Stops taking connections, lets the requests under way finish, and cuts what is still open after
 * `graceMs` (a client holding a keep-alive connection must not hold up the shutdown).
 */
export function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
