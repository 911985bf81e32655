/** The search front's Prometheus metrics beyond HTTP requests (shared/http-metrics.ts): what each search asked and got. */
import { Counter, Histogram, type Registry } from "prom-client";
import type { Batcher } from "./batcher";
import type { SearchResult } from "./searcher";

export function frontMetrics(registry: Registry) {
  const registers = [registry];
  const hosts = new Histogram({
    name: "search_front_hosts_per_search",
    help: "Shard hosts asked per search",
    buckets: [1, 2, 4, 8, 16, 32],
    registers,
  });
  const segments = new Histogram({
    name: "search_front_segments_per_search",
    help: "Segments searched per search",
    buckets: [1, 2, 4, 8, 16, 32, 64, 128],
    registers,
  });
  const partial = new Counter({
    name: "search_front_partial_answers_total",
    help: "Searches answered partial: a host or segment did not answer",
    registers,
  });
  const hidden = new Counter({
    name: "search_front_hidden_hits_total",
    help: "Hits hidden by tombstones (sold, deleted, photo changed after the segment was built)",
    registers,
  });
  const calls = new Counter({ name: "search_front_host_calls_total", help: "Search calls made to hosts", registers });
  const queries = new Counter({
    name: "search_front_host_queries_total",
    help: "Queries sent to hosts (calls × batch size)",
    registers,
  });
  let seen = { calls: 0, queries: 0 };
  return {
    registry,
    observe(result: SearchResult, batcher: Batcher) {
      hosts.observe(result.hosts);
      segments.observe(result.segments);
      if (result.partial) partial.inc();
      hidden.inc(result.hidden);
      calls.inc(batcher.calls - seen.calls);
      queries.inc(batcher.queries - seen.queries);
      seen = { calls: batcher.calls, queries: batcher.queries };
    },
  };
}
