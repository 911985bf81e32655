/**
 * The search layer's custom resources, `search.ml-platform.dev/v1alpha1`, as TypeScript types:
 * what a SegmentBuild asks and reports, what an IndexServing serves. Their schemas (what the API
 * server enforces) are in definitions.ts; both the stack and the operator import this module.
 */
import type { Tier } from "../segments/windows";
import type { Condition } from "./conditions";

export { TIERS, type Tier } from "../segments/windows";

export const GROUP = "search.ml-platform.dev";
export const VERSION = "v1alpha1";
export const API_VERSION = `${GROUP}/${VERSION}`;

/** Each kind's names, as the API server serves it and RBAC rules name it. */
export const SEGMENT_BUILD = { kind: "SegmentBuild", plural: "segmentbuilds", singular: "segmentbuild", short: "sb" };
export const INDEX_SERVING = { kind: "IndexServing", plural: "indexservings", singular: "indexserving", short: "isv" };

/** Label the operator puts on a SegmentBuild's Job and pods, whose value is the SegmentBuild's name. */
export const SEGMENT_BUILD_LABEL = `${GROUP}/segment-build`;
/** Finalizer the operator holds on a SegmentBuild until its Job and pods are gone. */
export const SEGMENT_BUILD_FINALIZER = `${GROUP}/job-cleanup`;

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  creationTimestamp?: string | Date;
  deletionTimestamp?: string | Date;
  finalizers?: string[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  generateName?: string;
}

export interface WindowRef {
  tier: Tier;
  /** The window's name: `2026-11-01T05` (hourly), `2026-11-01` (daily), `2026-11` (monthly). */
  window: string;
}

export interface SegmentBuildSpec extends WindowRef {
  /** Embedding version the segment must carry (`model@sha256:…`); omitted: whatever the build's model gives. */
  embeddingVersion?: string;
  /** The asset repository the segment is published to, `s3://bucket/`; omitted: the operator's. */
  source?: string;
  /** Build even if the window's inputs are incomplete, or rebuild a published window (`--force`). */
  force?: boolean;
  /** Segments a compaction replaces (the daily's hours, the monthly's days): recorded, the build derives them. */
  replaces?: WindowRef[];
}

export const PHASES = ["Pending", "Running", "Succeeded", "Failed"] as const;
export type Phase = (typeof PHASES)[number];

export interface SegmentBuildStatus {
  observedGeneration?: number;
  phase?: Phase;
  conditions?: Condition[];
  /** The Job the operator created for this build (same name, in the same namespace). */
  jobName?: string;
  /** The build program's id, and its full record in the asset repository (`runs/<buildId>.json`). */
  buildId?: string;
  runRecordKey?: string;
  /** The published manifest's key, once Succeeded with a new segment. */
  manifestKey?: string;
  /** The build's counters (`photos`, `items` = vectors, `cacheHits`, …), from its run record. */
  counts?: Record<string, number>;
  /** The build's own step timings in ms, from its run record. */
  timingsMs?: Record<string, number>;
  jobCreatedAt?: string;
  startedAt?: string;
  completedAt?: string;
  /** CamelCase cause of a Failed phase (or why a Succeeded one published nothing). */
  reason?: string;
  message?: string;
}

export interface SegmentBuild {
  apiVersion: typeof API_VERSION;
  kind: "SegmentBuild";
  metadata: ObjectMeta;
  spec: SegmentBuildSpec;
  status?: SegmentBuildStatus;
}

export interface ResourceQuantities {
  cpu: string;
  memory: string;
}

export interface IndexServingSpec {
  /** The shard host image, pinned by tag or digest. */
  image: string;
  /** Replicas of each host (≥ 1): each serves the same segments; a PodDisruptionBudget keeps one up. */
  replicas: number;
  /** How far back windows are served, days. */
  retentionDays: number;
  /** Segment memory one host may hold (a Kubernetes quantity, e.g. `8Gi`): decides how many segments share a host. */
  hostMemory: string;
  /** Segments with at most this many vectors are searched exactly (flat) instead of by graph; 0 disables. */
  flatMaxItems: number;
  /** Embedding versions to serve, preferred first; omitted: the newest published per window. */
  embeddingVersions?: string[];
  /** Each host container's requests and limits. */
  resources: { requests: ResourceQuantities; limits: ResourceQuantities };
}

export interface HostStatus {
  /** The host's Deployment (and Service) name. */
  name: string;
  /** Segments it serves. */
  segments: number;
  /** Vectors across them. */
  vectors: number;
  readyReplicas: number;
}

export interface IndexServingStatus {
  observedGeneration?: number;
  /** `Ready`, `Progressing`, `Degraded`. */
  conditions?: Condition[];
  hosts?: HostStatus[];
  windowsServed?: Array<WindowRef & { host: string }>;
}

export interface IndexServing {
  apiVersion: typeof API_VERSION;
  kind: "IndexServing";
  metadata: ObjectMeta;
  spec: IndexServingSpec;
  status?: IndexServingStatus;
}
