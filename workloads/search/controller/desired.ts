/**
 * What the cluster should run: the segments the coverage planner would query (every published
 * segment of the retention period whose window has closed, except those a coarser one covers),
 * placed on shard hosts by the assignment function (segments/assignment.ts), and per host its
 * objects: a ConfigMap with its assignment document, a Deployment of its pods, a headless Service
 * the front discovers it by, and a PodDisruptionBudget. Pure: the reconciler applies the answer
 * and deletes what it does not name.
 */
import { K8S, SEARCH_COMPONENT, SEGMENT_GRPC_PORT, searchLabels } from "../../shared/conventions";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../../shared/pod-security";
import { environmentFor as hostEnvironment } from "../host/config";
import { encodeAssignment, type HostAssignment, type HostPlan } from "../segments/assignment";
import { planCoverage, windowOf } from "../segments/coverage";
import type { PublishedSegment } from "../segments/segment";
import type { Tier } from "../segments/windows";
import { quantityBytes, specHash, type ServingSpec } from "./serving-spec";

/** A Kubernetes object as a plain manifest. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: OwnerReference[];
  };
  [key: string]: unknown;
}

/** The object a host's objects belong to (its IndexServing): deleting it garbage-collects them. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
}

/** The ConfigMap key holding a host's assignment document, and where its pods see it. */
export const ASSIGNMENT_KEY = "segments.json";
export const ASSIGNMENT_DIR = "/etc/shard-host";
export const SEGMENT_DIR = "/segments";
/** Host names: `shard-host-<month>[-n]` (segments/assignment.ts adds the month). */
export const HOST_PREFIX = "shard-host";
/**
 * Pod-template annotation: the hash of the serving spec the pods run (`specHash`). Belongs with the
 * other label keys in the conventions module once it has moved to workloads/shared.
 */
export const SPEC_HASH_ANNOTATION = "ml-platform.io/serving-spec-hash";

/**
 * The segments to serve now: the coverage planner's choice over the retention period, among
 * segments whose window has closed (and of the spec's embedding versions, when it names any). A
 * segment of a window still open (a month forced before its end) would hide the finer segments
 * built after it, and with them their tombstones.
 */
export function segmentsToServe(
  published: readonly PublishedSegment[],
  now: Date,
  retentionMs: number,
  embeddingVersions?: readonly string[],
): PublishedSegment[] {
  const closed = published.filter(
    (s) =>
      windowOf(s.tier, s.start).end.getTime() <= now.getTime() &&
      (embeddingVersions === undefined || embeddingVersions.includes(s.embeddingVersion)),
  );
  return planCoverage(closed, new Date(now.getTime() - retentionMs), now).segments;
}

/**
 * The published segments, plus what a host was last given for each window whose pointer could not
 * be read this round: an unreadable pointer never retires its segment, nor moves it.
 */
export function keepUnreadable(
  published: readonly PublishedSegment[],
  unreadable: readonly { tier: Tier; window: string }[],
  previous: readonly HostAssignment[],
): PublishedSegment[] {
  const key = (s: { tier: Tier; window: string }) => `${s.tier}/${s.window}`;
  const lost = new Set(unreadable.map(key));
  const have = new Set(published.map(key));
  const kept = previous.flatMap((a) => a.segments).filter((s) => lost.has(key(s)) && !have.has(key(s)));
  return [...published, ...kept];
}

/** Everything a host's objects need besides its plan. */
export interface HostTemplate {
  namespace: string;
  spec: ServingSpec;
  assetBucket: string;
  serviceAccount: string;
  uid: number;
  grpcPort: number;
  opsPort: number;
  /** Set on every object of every host; unset: the objects have no owner. */
  owner?: OwnerReference;
}

const DNS_1035 = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Labels of every object of host `name`; the selector is its component and host labels. */
export function hostLabels(name: string): Record<string, string> {
  return { ...searchLabels(SEARCH_COMPONENT.shardHost, name), [K8S.shardHost]: name };
}

/** The ConfigMap, Service, PodDisruptionBudget and Deployment of one shard host, PodSecurity `restricted` throughout. */
export function hostObjects(plan: HostPlan, t: HostTemplate): KubeObject[] {
  const name = plan.name;
  // A Service name is a DNS-1035 label; the others are laxer, so this covers them all.
  if (!DNS_1035.test(name)) throw new Error(`shard host ${JSON.stringify(name)}: not a DNS-1035 label`);
  const labels = hostLabels(name);
  const selector = { [K8S.component]: SEARCH_COMPONENT.shardHost, [K8S.shardHost]: name };
  // No blockOwnerDeletion: it would need update on the owner's finalizers, and nothing waits on it.
  const owner = t.owner ? { ownerReferences: [{ ...t.owner, controller: true }] } : {};
  const metadata = { name, namespace: t.namespace, labels, ...owner };
  const env = hostEnvironment({
    assetBucket: t.assetBucket,
    assignmentFile: `${ASSIGNMENT_DIR}/${ASSIGNMENT_KEY}`,
    grpcPort: t.grpcPort,
    opsPort: t.opsPort,
    segmentDir: SEGMENT_DIR,
  });
  // Segment files on disk are about their resident size; twice the budget leaves room for a reload.
  const diskMi = Math.ceil((2 * quantityBytes(t.spec.hostMemory, "hostMemory")) / 2 ** 20);
  return [
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata,
      data: {
        [ASSIGNMENT_KEY]: encodeAssignment({ host: name, flatMaxItems: t.spec.flatMaxItems, segments: plan.segments }),
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata,
      spec: {
        // Headless: the front reads the EndpointSlices and talks to each pod, which a ClusterIP would hide.
        clusterIP: "None",
        selector,
        // Port = container port: discovery reads the EndpointSlice's port to address a pod.
        ports: [{ name: SEGMENT_GRPC_PORT.name, port: t.grpcPort, targetPort: t.grpcPort, protocol: "TCP" }],
      },
    },
    {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata,
      spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
    },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata,
      spec: {
        replicas: t.spec.replicas,
        revisionHistoryLimit: 3,
        // A new pod loads its segments and turns ready before an old one goes: capacity never drops.
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        selector: { matchLabels: selector },
        template: {
          metadata: { labels, annotations: { [SPEC_HASH_ANNOTATION]: specHash(t.spec) } },
          spec: {
            serviceAccountName: t.serviceAccount,
            // The host reads S3 (Pod Identity) and its mounted assignment, never the Kubernetes API.
            automountServiceAccountToken: false,
            securityContext: restrictedPodSecurityContext(t.uid),
            // The host's drain (DRAIN_TIMEOUT_SECONDS, 20 s) fits inside it.
            terminationGracePeriodSeconds: 30,
            containers: [
              {
                name: "shard-host",
                image: t.spec.image,
                ports: [
                  { name: SEGMENT_GRPC_PORT.name, containerPort: t.grpcPort, protocol: "TCP" },
                  { name: "ops", containerPort: t.opsPort, protocol: "TCP" },
                ],
                env: Object.entries(env).map(([n, value]) => ({ name: n, value })),
                // grpc.health.v1: SERVING once the assigned segments are loaded, NOT_SERVING while draining.
                readinessProbe: { grpc: { port: t.grpcPort }, periodSeconds: 5, failureThreshold: 2 },
                livenessProbe: { httpGet: { path: "/healthz", port: "ops" }, periodSeconds: 10, failureThreshold: 3 },
                resources: { requests: t.spec.resources.requests, limits: t.spec.resources.limits },
                securityContext: restrictedContainerSecurityContext(),
                volumeMounts: [
                  { name: "assignment", mountPath: ASSIGNMENT_DIR, readOnly: true },
                  { name: "segments", mountPath: SEGMENT_DIR },
                ],
              },
            ],
            volumes: [
              // The whole ConfigMap, not a subPath: the kubelet updates a directory mount in place.
              { name: "assignment", configMap: { name } },
              { name: "segments", emptyDir: { sizeLimit: `${diskMi}Mi` } },
            ],
          },
        },
      },
    },
  ];
}
