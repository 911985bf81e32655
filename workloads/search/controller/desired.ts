/**
 * What the cluster should run: one index service (a Deployment and a Service) per segment the
 * coverage planner would query, that is every published segment of the retention period except
 * those a coarser published segment covers (the hourly segments of a day whose daily segment is
 * out). Pure: the reconciler applies its answer and deletes what it does not name.
 */
import { createHash } from "node:crypto";
import { embeddingVersionLabel, K8S, SEARCH_COMPONENT, SEGMENT_GRPC_PORT } from "../../shared/conventions";
import { planCoverage, windowOf, type Tier } from "../front/coverage";

/** A Kubernetes object as a plain manifest. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

/** A segment whose manifest is published (its pointer names it). */
export interface PublishedSegment {
  tier: Tier;
  /** The window's name in the repository (`2026-11-02T10`, `2026-11-02`, `2026-11`). */
  window: string;
  start: Date;
  embeddingVersion: string;
  buildId: string;
  manifestKey: string;
  manifestVersionId: string | null;
  /** The pointer's sha256 of the manifest: the index service loads exactly this build. */
  manifestSha256: string;
}

export interface IndexServiceTemplate {
  namespace: string;
  image: string;
  serviceAccount: string;
  uid: number;
  grpcPort: number;
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
  /** The index service's environment for one segment (its env contract). */
  environment: (segment: PublishedSegment) => Record<string, string>;
}

/**
 * The segments to serve now: the coverage planner's choice over the retention period, among
 * segments whose window has closed. A segment of a window still open (a month forced before its
 * end) would hide the finer segments built after it, and with them their tombstones.
 */
export function segmentsToServe(
  published: readonly PublishedSegment[],
  now: Date,
  retentionMs: number,
): PublishedSegment[] {
  const closed = published.filter((s) => windowOf(s.tier, s.start).end.getTime() <= now.getTime());
  return planCoverage(closed, new Date(now.getTime() - retentionMs), now).segments;
}

/** A DNS-1123 name per segment: tier, window and a hash of the build, so a rebuild gets a new name. */
export function indexServiceName(s: PublishedSegment): string {
  const hash = createHash("sha256").update(`${s.embeddingVersion}\0${s.buildId}`).digest("hex").slice(0, 8);
  return `index-${s.tier}-${s.window.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${hash}`;
}

export function segmentLabels(s: PublishedSegment): Record<string, string> {
  return {
    [K8S.component]: SEARCH_COMPONENT.indexService,
    [K8S.partOf]: "image-search",
    [K8S.searchTier]: s.tier,
    [K8S.segmentWindow]: s.window,
    [K8S.embeddingVersion]: embeddingVersionLabel(s.embeddingVersion),
  };
}

/** The Deployment and Service of one segment's index service, PodSecurity `restricted` throughout. */
export function indexServiceObjects(s: PublishedSegment, t: IndexServiceTemplate): KubeObject[] {
  const name = indexServiceName(s);
  const labels = segmentLabels(s);
  const selector = { [K8S.component]: SEARCH_COMPONENT.indexService, [K8S.name]: name };
  const podLabels = { ...labels, ...selector };
  const metadata = { name, namespace: t.namespace, labels: { ...labels, [K8S.name]: name } };
  return [
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata,
      spec: {
        replicas: 1,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: podLabels },
          spec: {
            serviceAccountName: t.serviceAccount,
            automountServiceAccountToken: false,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: t.uid,
              runAsGroup: t.uid,
              seccompProfile: { type: "RuntimeDefault" },
            },
            containers: [
              {
                name: "index",
                image: t.image,
                ports: [{ name: SEGMENT_GRPC_PORT.name, containerPort: t.grpcPort }],
                env: Object.entries(t.environment(s)).map(([n, value]) => ({ name: n, value })),
                readinessProbe: { grpc: { port: t.grpcPort }, periodSeconds: 5 },
                resources: { requests: t.requests, limits: t.limits },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ["ALL"] },
                },
                volumeMounts: [{ name: "segment", mountPath: "/segment" }],
              },
            ],
            volumes: [{ name: "segment", emptyDir: {} }],
          },
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata,
      spec: {
        selector,
        // Port = container port: discovery reads the EndpointSlice's port to address the Service.
        ports: [{ name: SEGMENT_GRPC_PORT.name, port: t.grpcPort, targetPort: t.grpcPort, protocol: "TCP" }],
      },
    },
  ];
}
