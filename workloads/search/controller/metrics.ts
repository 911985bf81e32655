/** The segment controller's Prometheus metrics (served on the ops port's /metrics). */
import { Counter, Gauge, Histogram, Registry } from "prom-client";

export function controllerMetrics() {
  const registry = new Registry();
  return {
    registry,
    rounds: new Counter({
      name: "segment_controller_reconcile_rounds_total",
      help: "Reconcile rounds, by outcome (ok, error)",
      labelNames: ["outcome"] as const,
      registers: [registry],
    }),
    unreadable: new Counter({
      name: "segment_controller_unreadable_pointers_total",
      help: "Pointers (or host ConfigMaps) that could not be read; rounds with any skip pruning",
      registers: [registry],
    }),
    duration: new Histogram({
      name: "segment_controller_reconcile_duration_seconds",
      help: "Duration of a reconcile round (list, read, assign, apply, prune)",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    hosts: new Gauge({ name: "segment_controller_hosts", help: "Shard hosts planned", registers: [registry] }),
    segments: new Gauge({
      name: "segment_controller_segments_served",
      help: "Segments assigned to hosts, by tier",
      labelNames: ["tier"] as const,
      registers: [registry],
    }),
    hostBytes: new Gauge({
      name: "segment_controller_host_segment_bytes",
      help: "Estimated resident segment bytes per host",
      labelNames: ["host"] as const,
      registers: [registry],
    }),
  };
}
export type ControllerMetrics = ReturnType<typeof controllerMetrics>;
