/** A shard host's Prometheus metrics, on one registry its ops server serves. */
import { Counter, Gauge, Histogram, Registry } from "prom-client";

export function hostMetrics(registry: Registry = new Registry()) {
  const registers = [registry];
  return {
    registry,
    requests: new Counter({
      name: "search_host_requests_total",
      help: "gRPC calls answered, by method and status code",
      labelNames: ["method", "code"] as const,
      registers,
    }),
    latency: new Histogram({
      name: "search_host_request_seconds",
      help: "Time to answer a gRPC call, by method",
      labelNames: ["method"] as const,
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    queries: new Counter({
      name: "search_host_queries_total",
      help: "Queries searched (a batch counts each)",
      registers,
    }),
    batch: new Histogram({
      name: "search_host_batch_queries",
      help: "Queries per Search call",
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers,
    }),
    missing: new Counter({
      name: "search_host_missing_segments_total",
      help: "Segments a request named that this host does not serve",
      registers,
    }),
    segments: new Gauge({
      name: "search_host_segments",
      help: "Segments served, by search kind (flat or hnsw)",
      labelNames: ["search"] as const,
      registers,
    }),
    vectors: new Gauge({ name: "search_host_vectors", help: "Vectors in the segments served", registers }),
    loadFailures: new Counter({
      name: "search_host_segment_load_failures_total",
      help: "Segments that could not be fetched, verified or opened",
      registers,
    }),
    loadSeconds: new Histogram({
      name: "search_host_segment_load_seconds",
      help: "Time to fetch, verify and open a segment",
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300],
      registers,
    }),
  };
}
export type HostMetrics = ReturnType<typeof hostMetrics>;
