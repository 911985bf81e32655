/**
 * The operations port every long-running service serves beside its real work: liveness on
 * /healthz, readiness on /readyz, Prometheus text on /metrics, and a drain switch that turns
 * readiness off before the process stops, so load balancers and Kubernetes stop routing to it
 * while in-flight work finishes. Plain node:http: three read-only routes need no framework.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Registry } from "prom-client";

/** What a readiness callback may answer: a bare flag, or the flag with something to show on /readyz. */
export type Readiness = boolean | { ready: boolean; detail?: unknown };

export interface OpsServerOptions {
  /** Interface to bind; default `0.0.0.0` (probes and scrapers come from the node or the VPC, never a public listener). */
  host?: string;
  /** Port to bind; `0` takes a free one (tests). The bound port is what `start()` resolves with. */
  port: number;
  /** Whether the service should receive traffic now; default always ready. Draining overrides it with 503. */
  ready?: () => Readiness;
  /** Why the process cannot work at all (503 on /healthz, so the orchestrator replaces it); undefined while alive. */
  unhealthy?: () => string | undefined;
  /** Registry served on /metrics; default an empty one of the server's own (see `registry`). */
  registry?: Registry;
}

/** The body of /readyz, also returned by `readiness()` for a service that answers readiness elsewhere too. */
export interface ReadinessView {
  ready: boolean;
  draining: boolean;
  detail?: unknown;
}

export class OpsServer {
  readonly registry: Registry;
  private readonly server: Server;
  private draining = false;
  private bound?: number;

  constructor(private readonly options: OpsServerOptions) {
    this.registry = options.registry ?? new Registry();
    this.server = createServer((req, res) => this.answer(req, res));
  }

  /** Binds the port and resolves with the port bound (useful when `port` is 0). */
  async start(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.options.port, this.options.host ?? "0.0.0.0", () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    this.bound = (this.server.address() as AddressInfo).port;
    return this.bound;
  }

  /** The bound port; throws before `start()` so a caller cannot publish a port nobody listens on. */
  get port(): number {
    if (this.bound === undefined) throw new Error("ops server: port read before start()");
    return this.bound;
  }

  /** Readiness turns 503 from now on and stays so; liveness and metrics keep answering until `stop()`. */
  drain(): void {
    this.draining = true;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  readiness(): ReadinessView {
    if (this.draining) return { ready: false, draining: true };
    const answer = this.options.ready?.() ?? true;
    const { ready, detail } = typeof answer === "boolean" ? { ready: answer, detail: undefined } : answer;
    return detail === undefined ? { ready, draining: false } : { ready, draining: false, detail };
  }

  /**
   * A service's graceful stop around its work: readiness off first, so nothing new is routed here; then
   * `finish` lets the work under way end while /metrics still answers; then the port closes. Resolves with
   * what `finish` resolved with; if it throws, the port stays open and the error is the caller's.
   */
  async stopAfter<T>(finish: () => Promise<T>): Promise<T> {
    this.drain();
    const result = await finish();
    await this.stop();
    return result;
  }

  /** Drains (if not yet) and closes the port; open keep-alive connections are cut, scrapes are short. */
  async stop(): Promise<void> {
    this.drain();
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") return void res.writeHead(405, { allow: "GET, HEAD" }).end();
    if (path === "/healthz") {
      const why = this.options.unhealthy?.();
      res.writeHead(why ? 503 : 200, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
      return void res.end(why ?? "ok");
    }
    if (path === "/readyz") {
      const view = this.readiness();
      const text = JSON.stringify(view);
      res.writeHead(view.ready ? 200 : 503, { "content-type": "application/json", "cache-control": "no-store" });
      return void res.end(text);
    }
    if (path === "/metrics") {
      this.registry.metrics().then(
        (text) => {
          res.writeHead(200, { "content-type": this.registry.contentType });
          res.end(text);
        },
        // A collect callback that throws must not take the port down; the scraper records the failure.
        (err: Error) => res.writeHead(500, { "content-type": "text/plain; charset=utf-8" }).end(err.message),
      );
      return;
    }
    res.writeHead(404).end();
  }
}
