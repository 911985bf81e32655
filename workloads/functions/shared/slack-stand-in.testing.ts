/**
 * A stand-in for Slack on 127.0.0.1 for tests: it takes `chat.postMessage` (checking the bearer
 * token) and response_url replies, records every request, and can be switched down (HTTP 503),
 * so tests see exactly what Slack would have been sent and what happens when it is not there.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Recorded {
  path: string;
  authorization?: string;
  body: Record<string, unknown>;
}

export interface SlackStandIn {
  /** Web API base, e.g. http://127.0.0.1:1234/api */
  apiUrl: string;
  /** A response_url on the stand-in. */
  responseUrl(id: string): string;
  requests: Recorded[];
  /** chat.postMessage texts by channel. */
  messagesTo(channel: string): string[];
  down: boolean;
  clear(): void;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startSlackStandIn(token: string): Promise<SlackStandIn> {
  const requests: Recorded[] = [];
  const state = { down: false };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      if (state.down) {
        res.writeHead(503).end("service unavailable");
        return;
      }
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        res.writeHead(400).end("bad json");
        return;
      }
      requests.push({ path: req.url ?? "", authorization: req.headers.authorization, body });
      res.setHeader("content-type", "application/json");
      if (req.url === "/api/chat.postMessage") {
        const ok = req.headers.authorization === `Bearer ${token}`;
        res.end(
          JSON.stringify(ok ? { ok: true, ts: String(Date.now() / 1000) } : { ok: false, error: "invalid_auth" }),
        );
        return;
      }
      if (req.url?.startsWith("/respond/")) {
        res.end("ok");
        return;
      }
      res.writeHead(404).end(JSON.stringify({ ok: false, error: "unknown_method" }));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    apiUrl: `${base}/api`,
    responseUrl: (id) => `${base}/respond/${id}`,
    requests,
    messagesTo: (channel) =>
      requests
        .filter((r) => r.path === "/api/chat.postMessage" && r.body.channel === channel)
        .map((r) => String(r.body.text)),
    get down() {
      return state.down;
    },
    set down(v: boolean) {
      state.down = v;
    },
    clear: () => {
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
