/**
 * Test support (not shipped): what the controller's tests serve, and with what: the host settings
 * the search stack gives the controller, a serving spec small enough for the embedded Kubernetes,
 * and segments that spec spreads over two hosts.
 */
import type { HostTemplate } from "../controller/desired";
import type { ServingSpec } from "../controller/serving-spec";
import { publishedSegment } from "./published";

/** A HostTemplate's settings besides its namespace and spec (a ServingRound's `hosts`). */
export const TEST_HOSTS: Omit<HostTemplate, "namespace" | "spec" | "owner"> = {
  assetBucket: "search-assets-0a1b2c3",
  serviceAccount: "shard-host",
  uid: 10001,
  grpcPort: 50051,
  opsPort: 9090,
};

/** 64Mi hosts: about 29 MiB per 40k-vector daily, so two dailies per host. */
export const SMALL_SPEC: ServingSpec = {
  image: "registry.example.com/ml-platform/shard-host:1.0.0",
  replicas: 2,
  retentionDays: 40,
  hostMemory: "64Mi",
  flatMaxItems: 5000,
  resources: { requests: { cpu: "100m", memory: "96Mi" }, limits: { cpu: "1", memory: "128Mi" } },
};

/** Three 40k-vector October dailies: with the hourlies, two SMALL_SPEC hosts. */
export const OCTOBER = ["2026-10-29", "2026-10-30", "2026-10-31"].map((w) =>
  publishedSegment("daily", w, { itemCount: 40_000 }),
);
export const HOURLIES = ["2026-11-02T03", "2026-11-02T04"].map((w) => publishedSegment("hourly", w));
