import { expect } from "chai";
import { K8S, SEARCH_COMPONENT, SEGMENT_GRPC_PORT } from "../../shared/conventions";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../../shared/pod-security";
import { loadShardHostSettings } from "../host/config";
import { assignHosts, decodeAssignment, type HostAssignment } from "../segments/assignment";
import type { Tier } from "../segments/windows";
import { loadControllerSettings, environmentFor } from "./config";
import {
  ASSIGNMENT_KEY,
  hostObjects,
  keepUnreadable,
  segmentsToServe,
  SPEC_HASH_ANNOTATION,
  type HostTemplate,
  type KubeObject,
} from "./desired";
import { planRound, type RoundInput } from "./round";
import { quantityBytes, type ServingSpec } from "./serving-spec";
import { publishedSegment } from "../testing/published";
import { TEST_HOSTS } from "../testing/serving";

const VERSION = "image-embedder@sha256:53a0e99cda75+pca128@sha256:0123456789ab";
const seg = (tier: Tier, window: string, buildId = "b1", itemCount = 1000) =>
  publishedSegment(tier, window, { itemCount, buildId, embeddingVersion: VERSION });

const spec: ServingSpec = {
  image: "registry.example.com/ml-platform/shard-host:1.0.0",
  replicas: 2,
  retentionDays: 40,
  hostMemory: "1Gi",
  flatMaxItems: 5000,
  resources: { requests: { cpu: "500m", memory: "1536Mi" }, limits: { cpu: "2", memory: "2Gi" } },
};
const template: HostTemplate = { namespace: "search", spec, ...TEST_HOSTS };
const byKind = (objects: KubeObject[], kind: string) => objects.filter((o) => o.kind === kind);
interface Container {
  name: string;
  image: string;
  env: { name: string; value: string }[];
  ports: { name: string; containerPort: number }[];
  readinessProbe: unknown;
  livenessProbe: unknown;
  securityContext: unknown;
  resources: unknown;
  volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface DeploymentSpec {
  replicas: number;
  strategy: unknown;
  selector: { matchLabels: Record<string, string> };
  template: {
    metadata: { labels: Record<string, string>; annotations: Record<string, string> };
    spec: {
      serviceAccountName: string;
      automountServiceAccountToken: boolean;
      securityContext: unknown;
      containers: Container[];
      volumes: { name: string; configMap?: { name: string }; emptyDir?: { sizeLimit: string } }[];
    };
  };
}
const deploymentOf = (objects: KubeObject[]) => byKind(objects, "Deployment")[0].spec as DeploymentSpec;
const NOW = new Date("2026-11-03T05:30:00Z");

describe("segment controller: what to serve", () => {
  it("serves the coarsest closed segments and never a window still open", () => {
    const published = [
      seg("hourly", "2026-11-02T03"),
      seg("daily", "2026-11-02"),
      seg("monthly", "2026-11"), // forced before the month's end
      seg("daily", "2026-11-01"),
    ];
    const served = segmentsToServe(published, new Date("2026-11-02T05:00:00Z"), 40 * 86_400_000);
    expect(served.map((s) => `${s.tier} ${s.window}`)).to.deep.equal(["daily 2026-11-01", "hourly 2026-11-02T03"]);
  });

  it("serves only the spec's embedding versions when it names any", () => {
    const other = { ...seg("daily", "2026-11-01"), embeddingVersion: "image-embedder@sha256:ffffffffffff" };
    expect(segmentsToServe([other, seg("hourly", "2026-11-02T03")], NOW, 40 * 86_400_000, [VERSION])).to.have.length(1);
    expect(segmentsToServe([other, seg("hourly", "2026-11-02T03")], NOW, 40 * 86_400_000)).to.have.length(2);
  });

  it("keeps what a host was given for a window whose pointer could not be read, and only that", () => {
    const previous: HostAssignment[] = [
      {
        host: "shard-host-2026-11",
        flatMaxItems: 0,
        segments: [seg("daily", "2026-11-01"), seg("daily", "2026-10-31")],
      },
    ];
    const kept = keepUnreadable([seg("hourly", "2026-11-02T03")], [{ tier: "daily", window: "2026-11-01" }], previous);
    expect(kept.map((s) => `${s.tier} ${s.window}`)).to.deep.equal(["hourly 2026-11-02T03", "daily 2026-11-01"]);
  });
});

describe("segment controller: a host's objects", () => {
  const [plan] = assignHosts([seg("daily", "2026-11-01"), seg("hourly", "2026-11-02T03")], new Map(), {
    hostMemoryBytes: quantityBytes(spec.hostMemory),
    flatMaxItems: spec.flatMaxItems,
    prefix: "shard-host",
  });
  const objects = hostObjects(plan, template);

  it("names and labels a ConfigMap, Service, budget and Deployment per host in DNS-1123 form, ConfigMap first", () => {
    expect(objects.map((o) => o.kind)).to.deep.equal(["ConfigMap", "Service", "PodDisruptionBudget", "Deployment"]);
    for (const o of objects) {
      expect(o.metadata.name)
        .to.equal("shard-host-2026-11")
        .and.match(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/);
      expect(o.metadata.namespace).to.equal("search");
      expect(o.metadata.labels).to.include({
        [K8S.component]: SEARCH_COMPONENT.shardHost,
        [K8S.shardHost]: "shard-host-2026-11",
      });
    }
    expect(() => hostObjects({ ...plan, name: "Shard_Host" }, template)).to.throw(/not a DNS-1035 label/);
  });

  it("writes the host's assignment into its ConfigMap, which the host's decoder reads back", () => {
    const data = byKind(objects, "ConfigMap")[0].data as Record<string, string>;
    const doc = decodeAssignment(data[ASSIGNMENT_KEY], "ConfigMap");
    expect(doc.host).to.equal("shard-host-2026-11");
    expect(doc.flatMaxItems).to.equal(5000);
    expect(doc.segments.map((s) => s.window)).to.deep.equal(["2026-11-01", "2026-11-02T03"]);
  });

  it("runs the host restricted, probed on gRPC health and /healthz, with the mounted assignment and an env the host accepts", () => {
    const d = deploymentOf(objects);
    expect(d.replicas).to.equal(2);
    expect(d.strategy).to.deep.equal({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    expect(d.template.metadata.labels).to.include(d.selector.matchLabels);
    const pod = d.template.spec;
    expect(pod.serviceAccountName).to.equal("shard-host");
    expect(pod.automountServiceAccountToken).to.equal(false);
    expect(pod.securityContext).to.deep.equal(restrictedPodSecurityContext(10001));
    const [c] = pod.containers;
    expect(c.securityContext).to.deep.equal(restrictedContainerSecurityContext());
    expect(c.image).to.equal(spec.image);
    expect(c.ports).to.deep.include({ name: SEGMENT_GRPC_PORT.name, containerPort: 50051, protocol: "TCP" });
    expect(c.readinessProbe).to.deep.include({ grpc: { port: 50051 } });
    expect(c.livenessProbe).to.deep.include({ httpGet: { path: "/healthz", port: "ops" } });
    expect(c.resources).to.deep.equal(spec.resources);
    const host = loadShardHostSettings(Object.fromEntries(c.env.map((e) => [e.name, e.value])));
    expect(host).to.deep.include({ assetBucket: "search-assets-0a1b2c3", grpcPort: 50051, opsPort: 9090 });
    const mount = c.volumeMounts.find((m) => host.assignmentFile.startsWith(`${m.mountPath}/`));
    expect(mount).to.deep.include({ name: "assignment", readOnly: true });
    expect(host.assignmentFile).to.equal(`${mount?.mountPath}/${ASSIGNMENT_KEY}`);
    expect(pod.volumes.find((v) => v.name === "assignment")?.configMap).to.deep.equal({ name: "shard-host-2026-11" });
    expect(c.volumeMounts.find((m) => m.mountPath === host.segmentDir)?.name).to.equal("segments");
    expect(pod.volumes.find((v) => v.name === "segments")?.emptyDir).to.deep.equal({ sizeLimit: "2048Mi" });
    const svc = byKind(objects, "Service")[0].spec as { clusterIP: string; ports: unknown[]; selector: unknown };
    expect(svc.selector).to.deep.equal(d.selector.matchLabels);
    expect(svc.ports).to.deep.equal([{ name: "grpc", port: 50051, targetPort: 50051, protocol: "TCP" }]);
    const pdb = byKind(objects, "PodDisruptionBudget")[0].spec as { maxUnavailable: number; selector: unknown };
    expect(pdb).to.deep.equal({ maxUnavailable: 1, selector: d.selector });
  });

  it("changes the pod template's annotation with the spec, but not with the segment list or the replica count", () => {
    const hash = (o: KubeObject[]) => deploymentOf(o).template.metadata.annotations[SPEC_HASH_ANNOTATION];
    const moreSegments = hostObjects(
      { ...plan, segments: [...plan.segments, seg("hourly", "2026-11-02T04")] },
      template,
    );
    expect(hash(moreSegments)).to.equal(hash(objects));
    expect(deploymentOf(moreSegments).template).to.deep.equal(deploymentOf(objects).template);
    expect(hash(hostObjects(plan, { ...template, spec: { ...spec, replicas: 3 } }))).to.equal(hash(objects));
    for (const changed of [
      { ...spec, image: "registry.example.com/ml-platform/shard-host:1.0.1" },
      { ...spec, hostMemory: "2Gi" },
      { ...spec, resources: { ...spec.resources, limits: { cpu: "2", memory: "3Gi" } } },
    ])
      expect(hash(hostObjects(plan, { ...template, spec: changed }))).to.not.equal(hash(objects));
  });
});

describe("segment controller: a round", () => {
  const previousOf = (objects: KubeObject[]) => ({
    assignments: byKind(objects, "ConfigMap").map((c) =>
      decodeAssignment((c.data as Record<string, string>)[ASSIGNMENT_KEY], c.metadata.name),
    ),
    unreadable: [],
  });
  const configMaps = (objects: KubeObject[]) =>
    Object.fromEntries(byKind(objects, "ConfigMap").map((c) => [c.metadata.name, c.data]));
  // 200k-vector dailies: about 70 MiB each, so a 1 GiB host holds about two weeks of October.
  const october = Array.from({ length: 31 }, (_, i) =>
    seg("daily", `2026-10-${String(i + 1).padStart(2, "0")}`, "b1", 200_000),
  );
  const hourlies = ["2026-11-02T03", "2026-11-02T04"].map((w) => seg("hourly", w));
  /** A round at NOW with the template; without `previous`, the first (no host ConfigMaps yet). */
  const round = (published: RoundInput["published"], previous: RoundInput["previous"] = previousOf([])) =>
    planRound({ published, previous, template, now: NOW });
  const firstRound = () => round({ segments: [...october, ...hourlies], unreadable: [] });

  it("retires a day's hourlies when its daily is published and moves no other segment", () => {
    const first = firstRound();
    expect(first.hosts.length).to.be.greaterThan(1);
    const second = round(
      { segments: [...october, ...hourlies, seg("daily", "2026-11-02")], unreadable: [] },
      previousOf(first.objects),
    );
    const before = configMaps(first.objects);
    const after = configMaps(second.objects);
    const windows = (data: unknown, host: string) =>
      decodeAssignment((data as Record<string, string>)[ASSIGNMENT_KEY], host).segments.map(
        (s) => `${s.tier} ${s.window}`,
      );
    const holder = Object.keys(before).find((h) => windows(before[h], h).includes("hourly 2026-11-02T03"));
    expect(Object.keys(after)).to.deep.equal(Object.keys(before));
    const changed = Object.keys(after).filter((h) => JSON.stringify(after[h]) !== JSON.stringify(before[h]));
    expect(changed).to.deep.equal([holder]);
    const kept = windows(before[holder!], holder!).filter((w) => !w.startsWith("hourly 2026-11-02"));
    expect(windows(after[holder!], holder!)).to.deep.equal([...kept, "daily 2026-11-02"]);
    expect(second.prune).to.equal(true);
  });

  it("neither prunes nor retires when a pointer or a host ConfigMap could not be read", () => {
    const first = firstRound();
    const blind = round(
      { segments: [...october.slice(1), ...hourlies], unreadable: [{ tier: "daily", window: "2026-10-01" }] },
      previousOf(first.objects),
    );
    expect(blind.prune).to.equal(false);
    expect(configMaps(blind.objects)).to.deep.equal(configMaps(first.objects));
    const lostMap = round(
      { segments: [...october, ...hourlies], unreadable: [] },
      { ...previousOf(first.objects), unreadable: ["shard-host-2026-12"] },
    );
    expect(lostMap.prune).to.equal(false);
  });
});

describe("segment controller: settings", () => {
  const settings = {
    namespace: "search",
    assetBucket: "search-assets-0a1b2c3",
    indexServing: "search",
    hostServiceAccount: "shard-host",
  };

  it("reads back the environment it writes: the IndexServing's name, the hosts' ports and uid", () => {
    const s = loadControllerSettings(environmentFor(settings));
    expect(s).to.deep.include({ indexServing: "search", hostGrpcPort: 50051, hostUid: 10001, intervalSeconds: 30 });
    expect(s.notReadyDeadlineSeconds).to.equal(600);
    // The serving spec is the IndexServing's, never the environment's.
    expect(Object.keys(environmentFor(settings)).filter((k) => /IMAGE|MEMORY|REPLICAS|CPU/.test(k))).to.deep.equal([]);
  });

  it("refuses an IndexServing name that is not an object name, naming the variable", () => {
    expect(() => environmentFor({ ...settings, indexServing: "Search_1" })).to.throw(
      'INDEX_SERVING="Search_1": a Kubernetes object name',
    );
  });

  it("turns memory quantities into bytes", () => {
    expect(quantityBytes("512Mi")).to.equal(512 * 2 ** 20);
    expect(quantityBytes("6Gi")).to.equal(6 * 2 ** 30);
    expect(quantityBytes("1.5G")).to.equal(1.5e9);
    expect(quantityBytes("1073741824")).to.equal(2 ** 30);
    expect(() => quantityBytes("6 GB", "hostMemory")).to.throw('hostMemory "6 GB": expected a memory quantity');
  });
});
