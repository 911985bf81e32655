/**
 * The segment controller and the front's discovery against a real API server (the embedded
 * Kubernetes, with KWOK marking pods ready): publishing a segment creates its Deployment and
 * Service, which become ready and discoverable; a segment a compaction retired disappears from
 * both; the controller's RBAC, as the search layer declares it, allows nothing outside its
 * namespace.
 */
import { expect } from "chai";
import * as k8s from "@kubernetes/client-node";
import pino from "pino";
import { startEmbeddedKubernetes, type EmbeddedKubernetes } from "../../../scripts/embedded-k8s";
import { waitFor } from "../../shared/poll";
import type { DiscoveredSegment } from "../front/discovery";
import { KubernetesDiscovery } from "../front/kubernetes-discovery";
import { indexServiceObjects, segmentsToServe, type IndexServiceTemplate, type PublishedSegment } from "./desired";
import { Reconciler } from "./reconcile";

const NS = "search";
const VERSION = "image-embedder@sha256:53a0e99cda75+pca128@sha256:0123456789ab";
const silent = pino({ level: "silent" });
const NOW = new Date("2026-11-03T05:30:00Z");
const RETENTION = 40 * 86_400_000;

const template: IndexServiceTemplate = {
  namespace: NS,
  image: "registry.example.com/ml-platform/index-service:1.0.0",
  serviceAccount: "index-service",
  uid: 10001,
  grpcPort: 50051,
  requests: { cpu: "100m", memory: "256Mi" },
  limits: { cpu: "1", memory: "1Gi" },
  environment: (s) => ({ MANIFEST_KEY: s.manifestKey }),
};

const published = (tier: PublishedSegment["tier"], window: string, start: string): PublishedSegment => ({
  tier,
  window,
  start: new Date(`${start}Z`),
  embeddingVersion: VERSION,
  buildId: `build-${tier}-${window}`,
  manifestKey: `segments/${tier}/${window}/build/manifest.json`,
  manifestVersionId: null,
  manifestSha256: "0".repeat(64),
});

/** A kubeconfig for a service account, from a token the API server issues for it. */
async function serviceAccountConfig(cluster: EmbeddedKubernetes, name: string): Promise<k8s.KubeConfig> {
  const token = await cluster.kubectl(["-n", NS, "create", "token", name]);
  expect(token.code, token.stderr).to.equal(0);
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "embedded", server: cluster.server, caFile: cluster.caFile, skipTLSVerify: false }],
    users: [{ name, token: token.stdout.trim() }],
    contexts: [{ name, cluster: "embedded", user: name }],
    currentContext: name,
  });
  return kc;
}

describe("segment controller and discovery on a real Kubernetes API server", function () {
  this.timeout(300_000);
  let cluster: EmbeddedKubernetes;
  let controller: k8s.KubeConfig;
  let front: k8s.KubeConfig;
  let discovery: KubernetesDiscovery;

  before(async () => {
    cluster = await startEmbeddedKubernetes();
    await cluster.ensureNamespace(NS, {
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/warn": "restricted",
    });
    // The controller's and the front's RBAC as the search layer declares them (infra/components/search).
    const verbs = ["get", "list", "watch", "create", "update", "patch", "delete"];
    await cluster.apply([
      { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "segment-controller", namespace: NS } },
      { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "front", namespace: NS } },
      { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "index-service", namespace: NS } },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata: { name: "segment-controller", namespace: NS },
        rules: [
          { apiGroups: ["apps"], resources: ["deployments"], verbs },
          { apiGroups: [""], resources: ["services"], verbs },
        ],
      },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: "segment-controller", namespace: NS },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "segment-controller" },
        subjects: [{ kind: "ServiceAccount", name: "segment-controller", namespace: NS }],
      },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata: { name: "front", namespace: NS },
        rules: [{ apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["get", "list", "watch"] }],
      },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: "front", namespace: NS },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "front" },
        subjects: [{ kind: "ServiceAccount", name: "front", namespace: NS }],
      },
    ]);
    controller = await serviceAccountConfig(cluster, "segment-controller");
    front = await serviceAccountConfig(cluster, "front");
    discovery = await new KubernetesDiscovery(front, NS, silent, [VERSION]).start();
  });
  after(async () => {
    await discovery?.close();
    await cluster?.stop();
  });

  const ids = (segments: DiscoveredSegment[]) => segments.map((s) => s.id).sort();

  it("creates a Deployment and Service per published segment, which the front's discovery sees once ready", async () => {
    const segments = [
      published("hourly", "2026-11-02T03", "2026-11-02T03:00:00"),
      published("hourly", "2026-11-02T04", "2026-11-02T04:00:00"),
      published("daily", "2026-11-01", "2026-11-01T00:00:00"),
    ];
    const reconciler = new Reconciler(controller, NS, silent);
    const desired = segmentsToServe(segments, NOW, RETENTION).flatMap((s) => indexServiceObjects(s, template));
    const result = await reconciler.reconcile(desired);
    expect(result.applied).to.have.length(6);
    expect(result.deleted).to.deep.equal([]);
    const seen = await waitFor("three ready segments in discovery", async () =>
      discovery.current().length === 3 ? discovery.current() : undefined,
    );
    expect(ids(seen)).to.deep.equal([
      `daily/2026-11-01/${VERSION}`,
      `hourly/2026-11-02T03/${VERSION}`,
      `hourly/2026-11-02T04/${VERSION}`,
    ]);
    expect(seen.find((s) => s.tier === "daily")?.address).to.match(
      /^index-daily-2026-11-01-[0-9a-f]{8}\.search\.svc:50051$/,
    );
    // A second pass changes nothing and deletes nothing.
    expect((await reconciler.reconcile(desired)).deleted).to.deep.equal([]);
  });

  it("retires the hourly segments of a day once its daily segment is published", async () => {
    const segments = [
      published("hourly", "2026-11-02T03", "2026-11-02T03:00:00"),
      published("hourly", "2026-11-02T04", "2026-11-02T04:00:00"),
      published("daily", "2026-11-01", "2026-11-01T00:00:00"),
      published("daily", "2026-11-02", "2026-11-02T00:00:00"),
    ];
    const desired = segmentsToServe(segments, NOW, RETENTION).flatMap((s) => indexServiceObjects(s, template));
    const result = await new Reconciler(controller, NS, silent).reconcile(desired);
    expect(result.deleted.filter((d) => d.startsWith("Deployment/"))).to.have.length(2);
    const seen = await waitFor("the hourly segments gone from discovery", async () => {
      const now = ids(discovery.current());
      return now.length === 2 && now.every((id) => id.startsWith("daily/")) ? now : undefined;
    });
    expect(seen).to.deep.equal([`daily/2026-11-01/${VERSION}`, `daily/2026-11-02/${VERSION}`]);
  });

  it("may not act outside its namespace or on other kinds", async () => {
    const apps = controller.makeApiClient(k8s.AppsV1Api);
    const core = controller.makeApiClient(k8s.CoreV1Api);
    const outside = indexServiceObjects(published("daily", "2026-11-01", "2026-11-01T00:00:00"), {
      ...template,
      namespace: "default",
    })[0];
    const refusals = await Promise.all([
      apps.createNamespacedDeployment({ namespace: "default", body: outside as k8s.V1Deployment }).then(
        () => "created",
        (e: { code?: number }) => e.code,
      ),
      core.listNamespacedSecret({ namespace: NS }).then(
        () => "listed",
        (e: { code?: number }) => e.code,
      ),
      core.listNamespacedService({ namespace: "kube-system" }).then(
        () => "listed",
        (e: { code?: number }) => e.code,
      ),
    ]);
    expect(refusals).to.deep.equal([403, 403, 403]);
    await new Reconciler(controller, NS, silent)
      .reconcile([{ ...outside, metadata: { ...outside.metadata, namespace: "default" } }])
      .then(
        () => expect.fail("a Deployment outside the namespace must be refused"),
        (err: Error) => expect(err.message).to.contain("not in namespace search"),
      );
  });
});
