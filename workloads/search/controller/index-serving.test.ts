import { expect } from "chai";
import { findCondition } from "../crds/conditions";
import { API_VERSION, type IndexServing } from "../crds/types";
import type { HostPlan } from "../segments/assignment";
import { InvalidSpecError, servingSpecFrom, servingStatus, type DeploymentState } from "./index-serving";
import { publishedSegment } from "../testing/published";

const object = (over: Partial<IndexServing["spec"]> = {}, generation = 1): IndexServing => ({
  apiVersion: API_VERSION,
  kind: "IndexServing",
  metadata: { name: "search", namespace: "search", generation, uid: "u-1" },
  spec: {
    image: "registry.example.com/shard-host:1.0.0",
    replicas: 2,
    retentionDays: 40,
    hostMemory: "6Gi",
    flatMaxItems: 5000,
    resources: { requests: { cpu: "1", memory: "8Gi" }, limits: { cpu: "2", memory: "8Gi" } },
    ...over,
  },
});
const seg = (window: string, itemCount: number) =>
  publishedSegment("daily", window, { itemCount, buildId: "b", embeddingVersion: "v@sha256:0123456789ab" });
const hosts: HostPlan[] = [
  { name: "shard-host-2026-10", segments: [seg("2026-10-30", 10), seg("2026-10-31", 5)], bytes: 1 },
];
const deployment = (over: Partial<DeploymentState> = {}): Map<string, DeploymentState> =>
  new Map([
    [
      "shard-host-2026-10",
      { generation: 1, observedGeneration: 1, replicas: 2, updatedReplicas: 2, readyReplicas: 2, ...over },
    ],
  ]);
const T0 = new Date("2026-11-03T05:00:00Z");
const later = (s: number) => new Date(T0.getTime() + s * 1000);
const status = (o: IndexServing, deployments: Map<string, DeploymentState>, now = T0, unreadable: string[] = []) =>
  servingStatus({ object: o, now, notReadyDeadlineMs: 600_000, hosts, deployments, replicas: 2, unreadable });

describe("IndexServing: spec", () => {
  it("gives the serving spec the object asks for", () => {
    expect(servingSpecFrom(object({ embeddingVersions: ["v@sha256:0123456789ab"] }))).to.deep.equal({
      ...object().spec,
      embeddingVersions: ["v@sha256:0123456789ab"],
    });
  });

  it("refuses what the schema cannot express, naming the field", () => {
    const cases: Array<[Partial<IndexServing["spec"]>, string]> = [
      [{ hostMemory: "9Gi" }, "spec.hostMemory: must be below resources.limits.memory"],
      [{ hostMemory: "lots" }, "spec.hostMemory: expected a memory quantity"],
      [{ image: "shard-host" }, "spec.image: expected an image with a tag or digest"],
      [
        { resources: { requests: { cpu: "1", memory: "9Gi" }, limits: { cpu: "2", memory: "8Gi" } } },
        "spec.resources.requests.memory: must not exceed resources.limits.memory",
      ],
      [{ replicas: 0 }, "spec.replicas:"],
    ];
    for (const [over, message] of cases) {
      const err = (() => {
        try {
          servingSpecFrom(object(over));
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err, message).to.be.instanceOf(InvalidSpecError);
      expect((err as Error).message, message).to.contain(message);
    }
  });
});

describe("IndexServing: status", () => {
  it("reports hosts, windows, and Ready once every host has its replicas", () => {
    const s = status({ ...object(), status: { observedGeneration: 1 } }, deployment());
    expect(s.observedGeneration).to.equal(1);
    expect(s.hosts).to.deep.equal([{ name: "shard-host-2026-10", segments: 2, vectors: 15, readyReplicas: 2 }]);
    expect(s.windowsServed).to.deep.equal([
      { tier: "daily", window: "2026-10-30", host: "shard-host-2026-10" },
      { tier: "daily", window: "2026-10-31", host: "shard-host-2026-10" },
    ]);
    expect(findCondition(s.conditions, "Ready")).to.deep.include({ status: "True", observedGeneration: 1 });
    expect(findCondition(s.conditions, "Progressing")).to.deep.include({ status: "False" });
    expect(findCondition(s.conditions, "Degraded")).to.deep.include({ status: "False" });
  });

  it("is Progressing while a Deployment rolls or a generation is new, and not Ready short of replicas", () => {
    const rolling = status(
      { ...object(), status: { observedGeneration: 1 } },
      deployment({ generation: 2, observedGeneration: 1 }),
    );
    expect(findCondition(rolling.conditions, "Progressing")).to.deep.include({ status: "True", reason: "RollingOut" });
    const surge = status({ ...object(), status: { observedGeneration: 1 } }, deployment({ updatedReplicas: 1 }));
    expect(findCondition(surge.conditions, "Progressing")?.status).to.equal("True");
    const fresh = status(object({}, 2), deployment());
    expect(findCondition(fresh.conditions, "Progressing")).to.deep.include({ status: "True", reason: "NewGeneration" });
    const short = status(object(), deployment({ readyReplicas: 1 }));
    expect(findCondition(short.conditions, "Ready")).to.deep.include({ status: "False", reason: "HostsNotReady" });
  });

  it("keeps a condition's transition time while its status holds, and turns Degraded past the deadline", () => {
    const first = status({ ...object(), status: { observedGeneration: 1 } }, deployment({ readyReplicas: 1 }), T0);
    const o = { ...object(), status: first };
    const again = status(o, deployment({ readyReplicas: 1 }), later(60));
    expect(again).to.deep.equal(first);
    const late = status(o, deployment({ readyReplicas: 1 }), later(601));
    expect(findCondition(late.conditions, "Ready")?.lastTransitionTime).to.equal(T0.toISOString());
    expect(findCondition(late.conditions, "Degraded")).to.deep.include({ status: "True", reason: "HostsNotReady" });
    expect(findCondition(late.conditions, "Degraded")?.lastTransitionTime).to.equal(later(601).toISOString());
  });

  it("is Degraded when a pointer is unreadable, and InvalidSpec keeps the rest of the status", () => {
    const s = status(object(), deployment(), T0, ["pointer daily/2026-10-30"]);
    expect(findCondition(s.conditions, "Degraded")).to.deep.include({ status: "True", reason: "PointerUnreadable" });
    const good = { ...object(), status: status(object(), deployment()) };
    const bad = servingStatus({
      object: good,
      now: later(5),
      notReadyDeadlineMs: 600_000,
      invalid: new InvalidSpecError("spec.hostMemory", "must be below resources.limits.memory"),
    });
    expect(bad.hosts).to.deep.equal(good.status.hosts);
    expect(findCondition(bad.conditions, "Degraded")).to.deep.include({
      status: "True",
      reason: "InvalidSpec",
      message: "spec.hostMemory: must be below resources.limits.memory",
    });
  });
});
