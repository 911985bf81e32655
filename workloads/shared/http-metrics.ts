/**
 * Request, latency and error metrics of an HTTP service, one set of names for every service
 * (`<prefix>_http_requests_total`, `<prefix>_http_request_duration_seconds`,
 * `<prefix>_http_request_errors_total`), recorded by wrapping its request listener. Routes are
 * labelled by a template the service names (`/photos/:id`), never the raw path, so a client
 * cannot grow the label set.
 */
import type { IncomingMessage, RequestListener } from "node:http";
import { Counter, Histogram, type Registry } from "prom-client";

/** The route template of a request, or undefined for one the service does not serve (labelled `other`). */
export type RouteOf = (method: string, path: string) => string | undefined;

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

export class HttpMetrics {
  readonly requests: Counter<"method" | "route" | "status">;
  readonly seconds: Histogram<"method" | "route">;
  readonly errors: Counter<"method" | "route">;

  constructor(
    registry: Registry,
    /** Metric name prefix, the service's name in snake case (`photo_api`). */
    prefix: string,
    private readonly routeOf: RouteOf,
  ) {
    this.requests = new Counter({
      name: `${prefix}_http_requests_total`,
      help: "HTTP requests answered, by method, route template and status",
      labelNames: ["method", "route", "status"],
      registers: [registry],
    });
    this.seconds = new Histogram({
      name: `${prefix}_http_request_duration_seconds`,
      help: "From the request's arrival to the end of its answer",
      labelNames: ["method", "route"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    this.errors = new Counter({
      name: `${prefix}_http_request_errors_total`,
      help: "Requests answered 5xx or cut before an answer",
      labelNames: ["method", "route"],
      registers: [registry],
    });
  }

  /** `listener`, recording every request when its answer finishes (or its connection closes first). */
  instrument(listener: RequestListener): RequestListener {
    return (req, res) => {
      const started = process.hrtime.bigint();
      const labels = this.labels(req);
      let recorded = false;
      const record = () => {
        if (recorded) return;
        recorded = true;
        const complete = res.writableFinished;
        this.requests.inc({ ...labels, status: complete ? String(res.statusCode) : "aborted" });
        this.seconds.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
        if (!complete || res.statusCode >= 500) this.errors.inc(labels);
      };
      res.once("finish", record);
      res.once("close", record);
      listener(req, res);
    };
  }

  private labels(req: IncomingMessage): { method: string; route: string } {
    const method = METHODS.has(req.method ?? "") ? (req.method as string) : "other";
    const path = (req.url ?? "/").split("?")[0];
    return { method, route: this.routeOf(method, path) ?? "other" };
  }
}
