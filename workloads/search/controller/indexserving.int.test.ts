/**
 * The controller's IndexServing round against a real API server (the embedded Kubernetes: the
 * CRDs from crds/definitions.ts, KWOK marking pods ready, the controller-manager's garbage
 * collector), acting as the controller's ServiceAccount with exactly its Role: an IndexServing
 * becomes hosts owned by it and a status that turns Ready; an image change rolls the hosts with
 * Progressing then Ready at the new generation, the EndpointSlices never short of ready
 * endpoints; a spec the schema cannot refuse is Degraded/InvalidSpec with nothing applied; and
 * deleting the IndexServing garbage-collects every host object.
 */
import { expect } from "chai";
import * as k8s from "@kubernetes/client-node";
import pino from "pino";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { startEmbeddedAws } from "../../../scripts/embedded-aws";
import { startEmbeddedKubernetes, type EmbeddedKubernetes } from "../../../scripts/embedded-k8s";
import { K8S } from "../../shared/conventions";
import { waitFor } from "../../shared/poll";
import { findCondition } from "../crds/conditions";
import { API_VERSION, GROUP, INDEX_SERVING, VERSION, type IndexServing } from "../crds/types";
import {
  adminKubeConfig,
  boundAccount,
  installDefinitions,
  restrictedNamespace,
  serviceAccountConfig,
} from "../local/operator-harness";
import { loadControllerSettings, environmentFor } from "./config";
import { startController } from "./main";
import { controllerRoleRules } from "./rbac";
import { Reconciler } from "./reconcile";
import { ServingRound } from "./serving-round";
import { HOURLIES, OCTOBER, SMALL_SPEC, TEST_HOSTS } from "../testing/serving";

const NS = "search";
const NAME = "search";
const NOW = new Date("2026-11-03T05:30:00Z");
const silent = pino({ level: "silent" });
const HOST_SELECTOR = `${K8S.component}=shard-host`;
const HOSTS = ["shard-host-2026-10", "shard-host-2026-10-2"];

const segments = [...OCTOBER, ...HOURLIES];

describe("IndexServing reconciled by the segment controller on a real Kubernetes API server", function () {
  this.timeout(300_000);
  let cluster: EmbeddedKubernetes;
  let controller: k8s.KubeConfig;
  let serving: ServingRound;
  let admin: k8s.CustomObjectsApi;
  let apps: k8s.AppsV1Api;
  let core: k8s.CoreV1Api;
  let adminConfig: k8s.KubeConfig;
  const where = { group: GROUP, version: VERSION, plural: INDEX_SERVING.plural, namespace: NS };

  before(async () => {
    cluster = await startEmbeddedKubernetes();
    await restrictedNamespace(cluster, NS);
    await installDefinitions(cluster);
    await boundAccount(cluster, NS, "segment-controller", controllerRoleRules());
    await cluster.apply([
      { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "shard-host", namespace: NS } },
    ]);
    controller = await serviceAccountConfig(cluster, NS, "segment-controller");
    serving = new ServingRound({
      kubeconfig: controller,
      reconciler: new Reconciler(controller, NS, silent),
      // The asset repository's side is published.int.test.ts's: here the Kubernetes side.
      published: { list: async () => ({ segments, unreadable: [] }) },
      namespace: NS,
      name: NAME,
      hosts: TEST_HOSTS,
      notReadyDeadlineMs: 600_000,
      log: silent,
    });
    adminConfig = adminKubeConfig(cluster);
    admin = adminConfig.makeApiClient(k8s.CustomObjectsApi);
    apps = adminConfig.makeApiClient(k8s.AppsV1Api);
    core = adminConfig.makeApiClient(k8s.CoreV1Api);
  });
  after(async () => {
    await cluster?.stop();
  });

  /** Creates the IndexServing under test, as the admin: what the search stack does on deploy. */
  const create = () =>
    admin.createNamespacedCustomObject({
      ...where,
      body: {
        apiVersion: API_VERSION,
        kind: INDEX_SERVING.kind,
        metadata: { name: NAME, namespace: NS },
        spec: SMALL_SPEC,
      },
    });
  const read = async () => (await admin.getNamespacedCustomObject({ ...where, name: NAME })) as IndexServing;
  const patchSpec = (patch: Partial<IndexServing["spec"]>) =>
    admin.patchNamespacedCustomObject(
      { ...where, name: NAME, body: { spec: patch } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );
  const condition = (o: IndexServing, type: string) => findCondition(o.status?.conditions, type);
  const deployments = async () =>
    (await apps.listNamespacedDeployment({ namespace: NS, labelSelector: HOST_SELECTOR })).items;
  const replicaSets = async () =>
    (await apps.listNamespacedReplicaSet({ namespace: NS, labelSelector: HOST_SELECTOR })).items;
  /** Rounds as the controller's loop runs them, until `done` holds for the status. */
  const roundsUntil = (what: string, done: (o: IndexServing) => boolean) =>
    waitFor(
      what,
      async () => {
        await serving.run(NOW);
        const o = await read();
        return done(o) ? o : undefined;
      },
      120_000,
    );

  it("turns an IndexServing into hosts it owns, and reports them Ready once their pods are", async () => {
    await create();
    const created = await read();
    const first = await serving.run(NOW);
    expect(first.outcome).to.equal("applied");
    for (const list of [
      (await core.listNamespacedConfigMap({ namespace: NS, labelSelector: HOST_SELECTOR })).items,
      (await core.listNamespacedService({ namespace: NS, labelSelector: HOST_SELECTOR })).items,
      await deployments(),
    ]) {
      expect(list.map((o) => o.metadata?.name).sort()).to.deep.equal(HOSTS);
      for (const o of list)
        expect(o.metadata?.ownerReferences).to.deep.equal([
          { apiVersion: API_VERSION, kind: "IndexServing", name: NAME, uid: created.metadata.uid, controller: true },
        ]);
    }
    const ready = await roundsUntil("Ready", (o) => condition(o, "Ready")?.status === "True");
    expect(ready.status?.observedGeneration).to.equal(1);
    expect(ready.status?.hosts?.map((h) => [h.name, h.readyReplicas])).to.deep.equal(HOSTS.map((h) => [h, 2]));
    expect(ready.status?.hosts?.reduce((n, h) => n + h.vectors, 0)).to.equal(3 * 40_000 + 2 * 1000);
    expect(ready.status?.windowsServed?.map((w) => `${w.tier} ${w.window}`).sort()).to.deep.equal(
      segments.map((s) => `${s.tier} ${s.window}`).sort(),
    );
    expect(condition(ready, "Degraded")).to.deep.include({ status: "False", observedGeneration: 1 });
    // A round that finds the same picture writes nothing.
    const rv = ready.metadata.resourceVersion;
    const again = await serving.run(NOW);
    expect(again).to.deep.include({ outcome: "applied", statusWritten: false });
    expect((await read()).metadata.resourceVersion).to.equal(rv);
  });

  it("rolls the hosts on an image change: Progressing, then Ready at the new generation, never short of ready endpoints", async () => {
    const before = await replicaSets();
    // Ready endpoints per host Service, from a watch on the EndpointSlices for the whole roll.
    const readyBySlice = new Map<string, { host: string; ready: number }>();
    const lowest = new Map<string, number>();
    const watch = await new k8s.Watch(adminConfig).watch(
      `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices`,
      {},
      (type: string, slice: k8s.V1EndpointSlice) => {
        const host = slice.metadata?.labels?.["kubernetes.io/service-name"] ?? "";
        if (!HOSTS.includes(host)) return;
        const ready = (slice.endpoints ?? []).filter((e) => e.conditions?.ready).length;
        if (type === "DELETED") readyBySlice.delete(slice.metadata?.name ?? "");
        else readyBySlice.set(slice.metadata?.name ?? "", { host, ready });
        const total = [...readyBySlice.values()].filter((s) => s.host === host).reduce((n, s) => n + s.ready, 0);
        lowest.set(host, Math.min(lowest.get(host) ?? Infinity, total));
      },
      () => undefined,
    );
    try {
      await patchSpec({ image: "registry.example.com/ml-platform/shard-host:1.0.1" });
      await serving.run(NOW);
      const rolling = await read();
      expect(rolling.metadata.generation).to.equal(2);
      expect(condition(rolling, "Progressing")).to.deep.include({ status: "True", observedGeneration: 2 });
      const done = await roundsUntil(
        "the roll to finish",
        (o) => condition(o, "Progressing")?.status === "False" && condition(o, "Ready")?.status === "True",
      );
      expect(done.status?.observedGeneration).to.equal(2);
      const after = await replicaSets();
      expect(after.length).to.equal(before.length + HOSTS.length);
      for (const d of await deployments()) {
        // What makes the roll lossless on a real cluster: a surge pod must turn ready (its gRPC
        // health SERVING, segments loaded) before an old one is taken away.
        expect(d.spec?.strategy?.rollingUpdate).to.deep.equal({ maxUnavailable: 0, maxSurge: 1 });
        expect(d.spec?.template.spec?.containers[0].readinessProbe?.grpc?.port).to.equal(50051);
        expect(d.spec?.template.spec?.containers[0].image).to.equal(
          "registry.example.com/ml-platform/shard-host:1.0.1",
        );
      }
    } finally {
      watch.abort();
    }
    // What this shows: the API server and controller-manager, with these rolling-update
    // parameters, never listed fewer ready endpoints than replicas for any host while it rolled,
    // so the front (which routes by EndpointSlice readiness) always had a full set to query. What
    // it cannot show: KWOK runs no containers, so a pod's readiness here is KWOK's, not the
    // host's gRPC health after loading its segments, and no query is actually sent.
    for (const host of HOSTS) expect(lowest.get(host), host).to.be.at.least(SMALL_SPEC.replicas);
  });

  it("refuses a spec the schema cannot (segment memory above the memory limit): Degraded/InvalidSpec, nothing applied", async () => {
    const templates = async () =>
      Object.fromEntries((await deployments()).map((d) => [d.metadata?.name, JSON.stringify(d.spec?.template)]));
    const maps = async () =>
      (await core.listNamespacedConfigMap({ namespace: NS, labelSelector: HOST_SELECTOR })).items.map((c) => c.data);
    const [t0, m0] = [await templates(), await maps()];
    // The schema checks each quantity's form; only the controller compares them.
    await patchSpec({ hostMemory: "200Mi", image: "registry.example.com/ml-platform/shard-host:1.0.2" });
    expect(await serving.run(NOW)).to.deep.equal({ outcome: "invalid", statusWritten: true });
    const refused = await read();
    expect(condition(refused, "Degraded")).to.deep.include({
      status: "True",
      reason: "InvalidSpec",
      observedGeneration: 3,
    });
    expect(condition(refused, "Degraded")?.message).to.match(
      /^spec\.hostMemory: must be below resources\.limits\.memory/,
    );
    expect(refused.status?.hosts?.map((h) => h.name)).to.deep.equal(HOSTS);
    expect(await templates()).to.deep.equal(t0);
    expect(await maps()).to.deep.equal(m0);
    await patchSpec({ hostMemory: SMALL_SPEC.hostMemory, image: "registry.example.com/ml-platform/shard-host:1.0.1" });
    const healed = await roundsUntil("Degraded to clear", (o) => condition(o, "Degraded")?.status === "False");
    expect(healed.status?.observedGeneration).to.equal(4);
  });

  it("may read its IndexServing and write its status, never change its spec or delete it", async () => {
    const asController = controller.makeApiClient(k8s.CustomObjectsApi);
    const code = (p: Promise<unknown>) =>
      p.then(
        () => "allowed",
        (e: { code?: number }) => e.code,
      );
    expect(
      await Promise.all([
        code(
          asController.patchNamespacedCustomObject(
            { ...where, name: NAME, body: { spec: { replicas: 3 } } },
            k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
          ),
        ),
        code(asController.deleteNamespacedCustomObject({ ...where, name: NAME })),
        code(asController.listNamespacedCustomObject({ ...where, namespace: "default" })),
      ]),
    ).to.deep.equal([403, 403, 403]);
  });

  it("garbage-collects every host object when the IndexServing is deleted", async () => {
    await admin.deleteNamespacedCustomObject({ ...where, name: NAME });
    await waitFor(
      "the garbage collector to delete the hosts' objects",
      async () => {
        const left = [
          ...(await core.listNamespacedConfigMap({ namespace: NS, labelSelector: HOST_SELECTOR })).items,
          ...(await core.listNamespacedService({ namespace: NS, labelSelector: HOST_SELECTOR })).items,
          ...(await deployments()),
          ...(await replicaSets()),
        ];
        return left.length === 0 ? true : undefined;
      },
      120_000,
    );
    const pdbs = adminConfig.makeApiClient(k8s.PolicyV1Api);
    expect(
      (await pdbs.listNamespacedPodDisruptionBudget({ namespace: NS, labelSelector: HOST_SELECTOR })).items,
    ).to.deep.equal([]);
    expect(await serving.run(NOW)).to.deep.equal({ outcome: "absent" });
  });

  it("runs a round as soon as its IndexServing changes (the watch), not an interval later", async () => {
    // The whole process as main.ts starts it, against an empty asset repository on embedded AWS.
    const aws = await startEmbeddedAws();
    const bucket = "search-assets-watch";
    await new S3Client(aws.clientConfig()).send(new CreateBucketCommand({ Bucket: bucket }));
    const settings = loadControllerSettings(
      environmentFor({
        namespace: NS,
        assetBucket: bucket,
        indexServing: NAME,
        hostServiceAccount: "shard-host",
        opsPort: 0,
        intervalSeconds: 3600,
      }),
    );
    const running = await startController(settings, silent, controller, aws.clientConfig());
    try {
      await create();
      const seen = await waitFor(
        "a round for the new object",
        async () => {
          const o = await read();
          return o.status?.observedGeneration === 1 ? o : undefined;
        },
        30_000,
      );
      // Nothing is published: no hosts, and nothing for them to be short of.
      expect(seen.status?.hosts).to.deep.equal([]);
      const t0 = Date.now();
      await patchSpec({ image: "registry.example.com/ml-platform/shard-host:1.0.3" });
      await waitFor(
        "a round for the new generation",
        async () => (await read()).status?.observedGeneration === 2,
        30_000,
      );
      // The interval is an hour: only the watch can have started this round.
      expect(Date.now() - t0).to.be.below(30_000);
    } finally {
      await running.stop();
      await aws.stop();
    }
  });
});
