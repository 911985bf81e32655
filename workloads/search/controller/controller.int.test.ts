/**
 * The segment controller against a real API server (the embedded Kubernetes, with KWOK marking
 * pods ready), acting as its own ServiceAccount with exactly the Role the search layer gives it:
 * each shard host's ConfigMap, Service, budget and Deployment are created, the pods turn ready
 * and the Service's EndpointSlice lists them; a day's hourlies retired by its daily change one
 * ConfigMap and roll nothing, while a spec change rolls the Deployments; every object passes a
 * server-side dry run under PodSecurity `restricted` with warnings as errors; and the controller
 * may not act outside its namespace or on other kinds.
 */
import { expect } from "chai";
import * as k8s from "@kubernetes/client-node";
import pino from "pino";
import { K8S } from "../../shared/conventions";
import { startEmbeddedKubernetes, type EmbeddedKubernetes } from "../../../scripts/embedded-k8s";
import { waitFor } from "../../shared/poll";
import type { PublishedSegment } from "../segments/segment";
import { adminKubeConfig, boundAccount, restrictedNamespace, serviceAccountConfig } from "../local/operator-harness";
import type { HostTemplate, KubeObject } from "./desired";
import { controllerRoleRules } from "./rbac";
import { KINDS, Reconciler } from "./reconcile";
import { planRound } from "./round";
import { publishedSegment } from "../testing/published";
import { HOURLIES, OCTOBER, SMALL_SPEC, TEST_HOSTS } from "../testing/serving";

const NS = "search";
const silent = pino({ level: "silent" });
const NOW = new Date("2026-11-03T05:30:00Z");

const template: HostTemplate = { namespace: NS, spec: SMALL_SPEC, ...TEST_HOSTS };

describe("segment controller on a real Kubernetes API server", function () {
  this.timeout(300_000);
  let cluster: EmbeddedKubernetes;
  let reconciler: Reconciler;
  let controller: k8s.KubeConfig;
  let core: k8s.CoreV1Api;
  let apps: k8s.AppsV1Api;
  let discovery: k8s.DiscoveryV1Api;

  before(async () => {
    cluster = await startEmbeddedKubernetes();
    await restrictedNamespace(cluster, NS);
    // The Role the search layer grants (infra/components/search/segment-controller).
    await boundAccount(cluster, NS, "segment-controller", controllerRoleRules());
    await cluster.apply([
      { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "shard-host", namespace: NS } },
    ]);
    controller = await serviceAccountConfig(cluster, NS, "segment-controller");
    reconciler = new Reconciler(controller, NS, silent);
    // What the test reads back, as the admin (the controller may not list ReplicaSets or EndpointSlices).
    const admin = adminKubeConfig(cluster);
    core = admin.makeApiClient(k8s.CoreV1Api);
    apps = admin.makeApiClient(k8s.AppsV1Api);
    discovery = admin.makeApiClient(k8s.DiscoveryV1Api);
  });
  after(async () => {
    await cluster?.stop();
  });

  /** One controller round as main.ts runs it, with the published segments given. */
  const round = async (segments: PublishedSegment[], t: HostTemplate = template) => {
    const previous = await reconciler.readAssignments();
    const plan = planRound({ published: { segments, unreadable: [] }, previous, template: t, now: NOW });
    return { plan, result: await reconciler.reconcile(plan.objects, { prune: plan.prune }) };
  };
  const configMaps = async () =>
    Object.fromEntries(
      (await core.listNamespacedConfigMap({ namespace: NS, labelSelector: `${K8S.component}=shard-host` })).items.map(
        (c) => [c.metadata?.name, c.data],
      ),
    );
  const replicaSets = async () =>
    (await apps.listNamespacedReplicaSet({ namespace: NS, labelSelector: `${K8S.component}=shard-host` })).items
      .map((r) => `${r.metadata?.labels?.[K8S.shardHost]}/${r.metadata?.name}`)
      .sort();

  it("creates each host's ConfigMap, Service, budget and Deployment; the pods turn ready in the Service's EndpointSlice", async () => {
    const { plan, result } = await round([...OCTOBER, ...HOURLIES]);
    const hosts = plan.hosts.map((h) => h.name);
    expect(hosts).to.deep.equal(["shard-host-2026-10", "shard-host-2026-10-2"]);
    expect(result.applied).to.have.length(4 * hosts.length);
    expect(result.applied.slice(0, hosts.length).every((a) => a.startsWith("ConfigMap/"))).to.equal(true);
    expect(result.applied.slice(-hosts.length).every((a) => a.startsWith("Deployment/"))).to.equal(true);
    for (const host of hosts) {
      const slice = await waitFor(`two ready endpoints of ${host}`, async () => {
        const slices = await discovery.listNamespacedEndpointSlice({
          namespace: NS,
          labelSelector: `kubernetes.io/service-name=${host}`,
        });
        const ready = slices.items.flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready));
        return ready.length === 2 ? slices.items[0] : undefined;
      });
      expect(slice.ports).to.deep.equal([{ name: "grpc", port: 50051, protocol: "TCP" }]);
      // The Service's labels are on its slices: the front selects hosts by component from there.
      expect(slice.metadata?.labels).to.include({ [K8S.component]: "shard-host", [K8S.shardHost]: host });
    }
    // A second round changes nothing and deletes nothing.
    const rs = await replicaSets();
    expect((await round([...OCTOBER, ...HOURLIES])).result.deleted).to.deep.equal([]);
    expect(await replicaSets()).to.deep.equal(rs);
  });

  it("retires a day's hourlies when its daily is published: one ConfigMap changes, no other segment moves, nothing rolls", async () => {
    const before = await configMaps();
    const rs = await replicaSets();
    const { result } = await round([...OCTOBER, ...HOURLIES, publishedSegment("daily", "2026-11-02")]);
    expect(result.deleted).to.deep.equal([]);
    const after = await configMaps();
    expect(Object.keys(after).sort()).to.deep.equal(Object.keys(before).sort());
    const served = (data: Record<string, string> | undefined) =>
      (JSON.parse(data?.["segments.json"] ?? "{}") as { segments: { tier: string; window: string }[] }).segments.map(
        (s) => `${s.tier} ${s.window}`,
      );
    const holder = Object.keys(before).find((h) => served(before[h]).includes("hourly 2026-11-02T03")) ?? "";
    const changed = Object.keys(after).filter((h) => JSON.stringify(after[h]) !== JSON.stringify(before[h]));
    expect(changed).to.deep.equal([holder]);
    const others = served(before[holder]).filter((w) => !w.startsWith("hourly "));
    expect(others).to.have.length.above(0);
    expect(served(after[holder])).to.deep.equal([...others, "daily 2026-11-02"]);
    // The host follows its ConfigMap while serving: no new ReplicaSet, no pod replaced.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await replicaSets()).to.deep.equal(rs);
  });

  it("rolls every host's Deployment (a new ReplicaSet) when the serving spec's image changes", async () => {
    const rs = await replicaSets();
    const before = await configMaps();
    const spec = { ...template.spec, image: "registry.example.com/ml-platform/shard-host:1.0.1" };
    await round([...OCTOBER, ...HOURLIES, publishedSegment("daily", "2026-11-02")], { ...template, spec });
    const rolled = await waitFor("a new ReplicaSet per host", async () => {
      const now = await replicaSets();
      return now.length === rs.length + 2 ? now : undefined;
    });
    for (const host of ["shard-host-2026-10", "shard-host-2026-10-2"])
      expect(
        rolled.filter((r) => r.startsWith(`${host}/`)),
        host,
      ).to.have.length(2);
    expect(await configMaps(), "the assignment is not the spec's").to.deep.equal(before);
  });

  it("writes only objects the API server admits under PodSecurity restricted, warnings counted as errors", async () => {
    // A namespace of its own: in `search` the objects exist already, managed by the controller.
    const DRY = "dry-run";
    await restrictedNamespace(cluster, DRY);
    const { objects } = planRound({
      published: { segments: [...OCTOBER, ...HOURLIES], unreadable: [] },
      previous: { assignments: [], unreadable: [] },
      template: { ...template, namespace: DRY },
      now: NOW,
    });
    expect(new Set(objects.map((o) => o.kind))).to.deep.equal(new Set(KINDS.map((k) => k.kind)));
    const verdicts = await cluster.dryRunApply(objects as KubeObject[] as never, DRY);
    expect(verdicts.filter((v) => !v.accepted)).to.deep.equal([]);
    expect(verdicts).to.have.length(objects.length);
    // The check can fail: the same Deployment with privilege escalation allowed is refused.
    const deployment = structuredClone(objects.find((o) => o.kind === "Deployment")) as KubeObject & {
      spec: { template: { spec: { containers: { securityContext: Record<string, unknown> }[] } } };
    };
    deployment.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation = true;
    const [weakened] = await cluster.dryRunApply([deployment as never], DRY);
    expect(weakened.accepted).to.equal(false);
    expect(weakened.message).to.match(/allowPrivilegeEscalation/);
  });

  it("may not act outside its namespace or on other kinds", async () => {
    const asController = controller.makeApiClient(k8s.CoreV1Api);
    const refusals = await Promise.all([
      asController
        .createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "x" }, data: {} } })
        .then(
          () => "created",
          (e: { code?: number }) => e.code,
        ),
      asController.listNamespacedSecret({ namespace: NS }).then(
        () => "listed",
        (e: { code?: number }) => e.code,
      ),
      asController.listNamespacedPod({ namespace: NS }).then(
        () => "listed",
        (e: { code?: number }) => e.code,
      ),
      asController.listNamespacedConfigMap({ namespace: "kube-system" }).then(
        () => "listed",
        (e: { code?: number }) => e.code,
      ),
    ]);
    expect(refusals).to.deep.equal([403, 403, 403, 403]);
    const previous = await reconciler.readAssignments();
    const { objects } = planRound({
      published: { segments: OCTOBER, unreadable: [] },
      previous,
      template: { ...template, namespace: "default" },
      now: NOW,
    });
    await reconciler.reconcile(objects).then(
      () => expect.fail("objects outside the namespace must be refused"),
      (err: Error) => expect(err.message).to.contain("not in namespace search"),
    );
    expect(KINDS.map((k) => k.kind)).to.deep.equal(["ConfigMap", "Service", "PodDisruptionBudget", "Deployment"]);
  });
});
