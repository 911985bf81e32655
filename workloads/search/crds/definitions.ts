/**
 * The two CustomResourceDefinitions as `apiextensions.k8s.io/v1` objects: structural schemas
 * (every field typed, unknown fields pruned and, with strict field validation, refused), the
 * status subresource (only the operator writes status), printer columns and short names. The
 * search stack deploys exactly these objects; the tests install them in the embedded API server.
 */
import { CONDITION_SCHEMA } from "./conditions";
import { GROUP, INDEX_SERVING, PHASES, SEGMENT_BUILD, TIERS, VERSION, type Tier } from "./types";

/** A window's name per tier, as build/windows.ts parses it (without the hourly form's optional suffix). */
export const WINDOW_PATTERNS: Record<Tier, string> = {
  hourly: "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3])$",
  daily: "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
  monthly: "^[0-9]{4}-(0[1-9]|1[0-2])$",
};

const QUANTITY = "^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$";
const IMAGE = "^[^:@\\s]+(:[\\w][\\w.-]{0,127}|@sha256:[0-9a-f]{64})$";
const EMBEDDING_VERSION = { type: "string", minLength: 1, maxLength: 256 } as const;
const TIME = { type: "string", format: "date-time" } as const;

/** One CEL rule per tier: the window must be named the way that tier names windows. */
const windowRule = {
  rule: TIERS.map((t) => `(self.tier == '${t}' && self.window.matches('${WINDOW_PATTERNS[t]}'))`).join(" || "),
  message: "window must be named as its tier names windows: hourly 2026-11-01T05, daily 2026-11-01, monthly 2026-11",
};

const windowRef = {
  type: "object",
  required: ["tier", "window"],
  properties: {
    tier: { type: "string", enum: [...TIERS] },
    window: { type: "string", minLength: 7, maxLength: 13 },
  },
  "x-kubernetes-validations": [windowRule],
} as const;

const counters = { type: "object", additionalProperties: { type: "integer", format: "int64" } } as const;

export interface CustomResourceDefinition {
  apiVersion: "apiextensions.k8s.io/v1";
  kind: "CustomResourceDefinition";
  metadata: { name: string; labels?: Record<string, string> };
  spec: Record<string, unknown>;
}

/** What a kind's schema says of its own; the object root and the status every kind has are added by `objectSchema`. */
interface KindSchema {
  description: string;
  spec: Record<string, unknown>;
  /** The kind's status fields beside `observedGeneration` and `conditions`. */
  status: Record<string, unknown>;
  /** CEL rules on the whole object. */
  validations?: { rule: string; message: string }[];
}

/**
 * A whole object of one kind: the root every Kubernetes object has (apiVersion, kind, metadata), a required
 * spec, and a status with the generation its controller last acted on and standard conditions (conditions.ts).
 */
function objectSchema({ description, spec, status, validations }: KindSchema): Record<string, unknown> {
  return {
    type: "object",
    description,
    required: ["spec"],
    properties: {
      apiVersion: { type: "string" },
      kind: { type: "string" },
      metadata: { type: "object" },
      spec,
      status: {
        type: "object",
        properties: {
          observedGeneration: { type: "integer", format: "int64" },
          conditions: {
            type: "array",
            items: CONDITION_SCHEMA,
            "x-kubernetes-list-type": "map",
            "x-kubernetes-list-map-keys": ["type"],
          },
          ...status,
        },
      },
    },
    ...(validations && { "x-kubernetes-validations": validations }),
  };
}

function definition(
  names: typeof SEGMENT_BUILD,
  kind: KindSchema,
  columns: Array<{ name: string; type: string; jsonPath: string; priority?: number; description?: string }>,
): CustomResourceDefinition {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${names.plural}.${GROUP}` },
    spec: {
      group: GROUP,
      scope: "Namespaced",
      names: {
        kind: names.kind,
        listKind: `${names.kind}List`,
        plural: names.plural,
        singular: names.singular,
        shortNames: [names.short],
        categories: ["search"],
      },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            ...columns,
            { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
          ],
          schema: { openAPIV3Schema: objectSchema(kind) },
        },
      ],
    },
  };
}

const readyColumn = (type: string) => ({
  name: type,
  type: "string",
  jsonPath: `.status.conditions[?(@.type=="${type}")].status`,
});

export const segmentBuildDefinition: CustomResourceDefinition = definition(
  SEGMENT_BUILD,
  {
    description: "One build of one window's segment: the operator runs it as a Job and records how it ended.",
    spec: {
      type: "object",
      required: ["tier", "window"],
      properties: {
        ...windowRef.properties,
        embeddingVersion: EMBEDDING_VERSION,
        source: { type: "string", pattern: "^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/([^\\s]*/)?$" },
        force: { type: "boolean" },
        replaces: { type: "array", maxItems: 800, items: windowRef },
      },
      "x-kubernetes-validations": [
        windowRule,
        // A build is a record: re-running a window is creating another SegmentBuild.
        { rule: "self == oldSelf", message: "spec is immutable: create another SegmentBuild to re-run a window" },
      ],
    },
    status: {
      phase: { type: "string", enum: [...PHASES] },
      jobName: { type: "string" },
      buildId: { type: "string" },
      runRecordKey: { type: "string" },
      manifestKey: { type: "string" },
      counts: counters,
      timingsMs: counters,
      jobCreatedAt: TIME,
      startedAt: TIME,
      completedAt: TIME,
      reason: { type: "string" },
      message: { type: "string", maxLength: 4096 },
    },
    // The Job is named after its SegmentBuild, and a Job's name is a label value on its pods.
    validations: [{ rule: "self.metadata.name.size() <= 63", message: "metadata.name must be at most 63 characters" }],
  },
  [
    { name: "Tier", type: "string", jsonPath: ".spec.tier" },
    { name: "Window", type: "string", jsonPath: ".spec.window" },
    { name: "Phase", type: "string", jsonPath: ".status.phase" },
    { name: "Vectors", type: "integer", jsonPath: ".status.counts.items" },
    { name: "Reason", type: "string", jsonPath: ".status.reason" },
    { name: "Job", type: "string", jsonPath: ".status.jobName", priority: 1 },
    { name: "Manifest", type: "string", jsonPath: ".status.manifestKey", priority: 1 },
  ],
);

const resources = {
  type: "object",
  required: ["cpu", "memory"],
  properties: {
    cpu: { type: "string", pattern: QUANTITY },
    memory: { type: "string", pattern: QUANTITY },
  },
} as const;

export const indexServingDefinition: CustomResourceDefinition = definition(
  INDEX_SERVING,
  {
    description: "Which segments a set of shard hosts serves, and with what: the host controller runs the hosts.",
    spec: {
      type: "object",
      required: ["image", "replicas", "retentionDays", "hostMemory", "flatMaxItems", "resources"],
      properties: {
        image: { type: "string", pattern: IMAGE },
        replicas: { type: "integer", minimum: 1, maximum: 100 },
        retentionDays: { type: "integer", minimum: 1, maximum: 3660 },
        hostMemory: { type: "string", pattern: QUANTITY },
        flatMaxItems: { type: "integer", minimum: 0 },
        embeddingVersions: { type: "array", maxItems: 8, items: EMBEDDING_VERSION },
        resources: {
          type: "object",
          required: ["requests", "limits"],
          properties: { requests: resources, limits: resources },
        },
      },
    },
    status: {
      hosts: {
        type: "array",
        items: {
          type: "object",
          required: ["name", "segments", "vectors", "readyReplicas"],
          properties: {
            name: { type: "string" },
            segments: { type: "integer", minimum: 0 },
            vectors: { type: "integer", format: "int64", minimum: 0 },
            readyReplicas: { type: "integer", minimum: 0 },
          },
        },
      },
      windowsServed: {
        type: "array",
        items: {
          type: "object",
          required: ["tier", "window", "host"],
          properties: { ...windowRef.properties, host: { type: "string" } },
        },
      },
    },
  },
  [
    { name: "Replicas", type: "integer", jsonPath: ".spec.replicas" },
    { name: "Host-Memory", type: "string", jsonPath: ".spec.hostMemory" },
    readyColumn("Ready"),
    readyColumn("Degraded"),
    { name: "Image", type: "string", jsonPath: ".spec.image", priority: 1 },
  ],
);

/** Both definitions, in the order the stack deploys them. */
export const searchDefinitions: CustomResourceDefinition[] = [segmentBuildDefinition, indexServingDefinition];
