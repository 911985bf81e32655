/**
 * Reports results to the photo API. Network errors, 5xx, 408 and 429 are retried with capped
 * exponential backoff and full jitter, then reported as ReportNotStored (the API is down); 401
 * and 403 are ReportUnauthorized at once, and any other 4xx is ReportRejected: the API will never
 * take this result from this worker as it is configured.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { ResultReport } from "../contract";

/** The API refused the result for good (4xx other than 408 and 429): retrying cannot help. */
export class ReportRejected extends Error {}
/**
 * The API refused the worker's token (401) or its right to store results (403). Not an outage:
 * the API answered, and asking again with the same token gets the same answer.
 */
export class ReportUnauthorized extends Error {
  constructor(
    readonly status: 401 | 403,
    message: string,
  ) {
    super(message);
  }
}
/** Every attempt failed for a passing reason (network, 5xx, 408, 429): the API is down for now. */
export class ReportNotStored extends Error {}

export interface ReporterOptions {
  apiUrl: string;
  token: string;
  attempts: number;
  backoffMs: number;
  backoffMaxMs: number;
  onRetry?: (attempt: number, error: string) => void;
}

export class ResultReporter {
  constructor(private readonly options: ReporterOptions) {}

  /** Resolves once the API has stored (or already had) the result. */
  async report(photoId: string, report: ResultReport, signal?: AbortSignal): Promise<{ stored: boolean }> {
    const { apiUrl, token, attempts, backoffMs, backoffMaxMs } = this.options;
    const url = `${apiUrl.replace(/\/$/, "")}/internal/photos/${encodeURIComponent(photoId)}/result`;
    let last = "";
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const res = await fetch(url, {
          method: "PUT",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          body: JSON.stringify(report),
          signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(10_000)]) : AbortSignal.timeout(10_000),
        });
        const text = await res.text();
        if (res.ok) return { stored: (JSON.parse(text) as { stored: boolean }).stored };
        last = `HTTP ${res.status}: ${text.slice(0, 200)}`;
        if (res.status === 401 || res.status === 403)
          throw new ReportUnauthorized(res.status, `photo ${photoId}: API refused the worker's token: ${last}`);
        if (res.status < 500 && res.status !== 408 && res.status !== 429)
          throw new ReportRejected(`photo ${photoId}: API refused the result: ${last}`);
      } catch (err) {
        if (err instanceof ReportRejected || err instanceof ReportUnauthorized || err instanceof ReportNotStored)
          throw err;
        if (signal?.aborted) throw err;
        last = (err as Error).message;
      }
      if (attempt < attempts) {
        this.options.onRetry?.(attempt, last);
        await sleep(Math.random() * Math.min(backoffMaxMs, backoffMs * 2 ** (attempt - 1)), undefined, { signal });
      }
    }
    throw new ReportNotStored(`photo ${photoId}: result not stored after ${attempts} attempts: ${last}`);
  }

  /** Resolves while the API answers its health check. */
  async probe(signal: AbortSignal): Promise<void> {
    const res = await fetch(`${this.options.apiUrl.replace(/\/$/, "")}/healthz`, { signal });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`API health check answered HTTP ${res.status}`);
  }
}
