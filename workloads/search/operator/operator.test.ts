/**
 * The operator's pure parts: the Job a SegmentBuild gets, the status a Job and its pods give,
 * the conditions' transition times, the create step's SegmentBuild, the build's summary size,
 * the build PodTemplates it refuses (PodSecurity `restricted`) and the Job settings it refuses,
 * and the work queue's guarantees (one key once, never twice at once, backoff per key).
 */
import { expect } from "chai";
import type * as k8s from "@kubernetes/client-node";
import { summaryMessage, parseSummary, TERMINATION_MESSAGE_MAX_BYTES } from "../builder/termination";
import type { RunRecord } from "../builder/run-record";
import { parseWindow } from "../segments/windows";
import { setCondition } from "../crds/conditions";
import type { SegmentBuild } from "../crds/types";
import { buildJob } from "./build-job";
import { segmentBuildFor } from "./create-build";
import { buildPodFrom, parseBuildJobs } from "./job-template";
import { outcomeOf, statusFor } from "./outcome";
import { WorkQueue } from "./queue";
import { testBuildJobs, testPodTemplates } from "../local/operator-harness";

const sb = (spec: Partial<SegmentBuild["spec"]> = {}): SegmentBuild => ({
  apiVersion: "search.ml-platform.dev/v1alpha1",
  kind: "SegmentBuild",
  metadata: { name: "hourly-2026-11-02t03-abcde", namespace: "search", uid: "u-1", generation: 1 },
  spec: { tier: "hourly", window: "2026-11-02T03", ...spec },
});
const job = (conditions: k8s.V1JobCondition[] = [], active = 0): k8s.V1Job => ({
  metadata: { name: "hourly-2026-11-02t03-abcde", creationTimestamp: new Date("2026-11-02T04:20:00Z") },
  status: { conditions, active, startTime: new Date("2026-11-02T04:20:01Z") },
});
const pod = (exitCode: number, message?: string): k8s.V1Pod => ({
  metadata: { creationTimestamp: new Date("2026-11-02T04:20:01Z") },
  status: {
    phase: exitCode === 0 ? "Succeeded" : "Failed",
    containerStatuses: [
      {
        name: "build",
        image: "b",
        imageID: "",
        ready: false,
        restartCount: 0,
        state: { terminated: { exitCode, message, reason: exitCode ? "Error" : "Completed" } },
      },
    ],
  },
});
/** The harness's hourly PodTemplate; `change` edits its pod spec. */
const hourlyTemplate = (
  change: (spec: Record<string, unknown> & { containers: Record<string, unknown>[] }) => void = () => undefined,
) => {
  const t = structuredClone(testPodTemplates("search")[0]) as unknown as k8s.V1PodTemplate;
  change(t.template?.spec as unknown as Record<string, unknown> & { containers: Record<string, unknown>[] });
  return t;
};
const hourlyPod = () => buildPodFrom(hourlyTemplate());
const failed = {
  type: "Failed",
  status: "True",
  reason: "BackoffLimitExceeded",
  message: "Job has reached the specified backoff limit",
};

describe("segment operator (pure parts)", () => {
  it("makes a Job owned by its SegmentBuild, with the window's command line and labels", () => {
    const j = buildJob(sb({ force: true }), testBuildJobs().tiers.hourly, hourlyPod());
    expect(j.metadata?.name).to.equal("hourly-2026-11-02t03-abcde");
    expect(j.metadata?.ownerReferences?.[0]).to.deep.include({ kind: "SegmentBuild", uid: "u-1", controller: true });
    expect(j.spec?.template.spec?.containers[0].args).to.deep.equal([
      "--tier",
      "hourly",
      "--window",
      "2026-11-02T03",
      "--force",
    ]);
    expect(j.spec?.template.metadata?.labels).to.deep.include({
      "search.ml-platform.dev/segment-build": "hourly-2026-11-02t03-abcde",
      "search.ml-platform.dev/window": "2026-11-02T03",
    });
    expect(j.spec?.template.spec).to.deep.include({
      restartPolicy: "Never",
      nodeSelector: { "ml-platform.io/gpu": "true" },
    });
    expect(j.spec?.template.metadata?.labels).to.deep.include({ "app.kubernetes.io/component": "segment-build" });
    expect(j.spec).to.deep.include({ activeDeadlineSeconds: 3600, backoffLimit: 0, ttlSecondsAfterFinished: 3600 });
    expect(() => buildJob({ ...sb(), metadata: { name: "x" } }, testBuildJobs().tiers.hourly, hourlyPod())).to.throw(
      /no uid/,
    );
  });

  it("refuses a build PodTemplate PodSecurity restricted would not admit, naming the template and the field", () => {
    const sc = (spec: { containers: Record<string, unknown>[] }) =>
      spec.containers[0].securityContext as Record<string, unknown>;
    const cases: [
      string,
      (spec: Record<string, unknown> & { containers: Record<string, unknown>[] }) => void,
      RegExp,
    ][] = [
      ["privileged", (s) => (sc(s).privileged = true), /containers\.0\.securityContext\.privileged/],
      ["escalation allowed", (s) => (sc(s).allowPrivilegeEscalation = true), /allowPrivilegeEscalation: must be false/],
      ["capabilities kept", (s) => (sc(s).capabilities = { drop: [] }), /must drop ALL/],
      ["root uid", (s) => (sc(s).runAsUser = 0), /runAsUser: must not be 0/],
      [
        "runAsNonRoot nowhere",
        (s) => {
          delete sc(s).runAsNonRoot;
          delete (s.securityContext as Record<string, unknown>).runAsNonRoot;
        },
        /container build: runAsNonRoot must be true/,
      ],
      [
        "no seccomp profile",
        (s) => {
          delete sc(s).seccompProfile;
          delete (s.securityContext as Record<string, unknown>).seccompProfile;
        },
        /container build: seccompProfile must be RuntimeDefault/,
      ],
      ["hostNetwork", (s) => (s.hostNetwork = true), /template\.spec\.hostNetwork/],
      [
        "hostPath",
        (s) => (s.volumes = [{ name: "h", hostPath: { path: "/var/run" } }]),
        /hostPath volumes are refused/,
      ],
      ["no build container", (s) => (s.containers[0].name = "main"), /needs a container named build/],
    ];
    expect(() => hourlyPod()).to.not.throw();
    for (const [what, change, message] of cases) {
      expect(() => buildPodFrom(hourlyTemplate(change)), what)
        .to.throw(/^PodTemplate segment-build-hourly is not PodSecurity restricted-compatible/)
        .and.to.match(message);
    }
    expect(() => buildPodFrom({ metadata: { name: "empty" } })).to.throw(/PodTemplate empty has no template\.spec/);
  });

  it("reads the phase and reason from the Job and the build's exit", () => {
    expect(outcomeOf(sb(), job(), [])).to.deep.equal({ phase: "Pending" });
    expect(outcomeOf(sb(), job([], 1), [{ status: { phase: "Running" } }])).to.deep.equal({ phase: "Running" });
    expect(outcomeOf(sb(), job([failed]), [pod(3)]).reason).to.equal("InputsIncomplete");
    const crash = outcomeOf(sb(), job([failed]), [pod(137)]);
    expect(crash).to.deep.include({ phase: "Failed", reason: "BackoffLimitExceeded" });
    expect(crash.message).to.contain("build exited 137, Error");
    const summary = JSON.stringify({
      buildId: "b1",
      status: "published",
      embeddingVersion: "m@sha256:1",
      manifestKey: "segments/k/manifest.json",
      counts: { items: 5 },
      timingsMs: {},
      detail: "",
    });
    const complete = [{ type: "Complete", status: "True" }];
    expect(outcomeOf(sb({ embeddingVersion: "m@sha256:2" }), job(complete), [pod(0, summary)]).reason).to.equal(
      "EmbeddingVersionMismatch",
    );
    const status = statusFor(
      sb(),
      { ...job(complete), status: { ...job(complete).status, completionTime: new Date("2026-11-02T04:30:00Z") } },
      [pod(0, summary)],
      new Date(),
    );
    expect(status).to.deep.include({
      phase: "Succeeded",
      buildId: "b1",
      runRecordKey: "runs/b1.json",
      counts: { items: 5 },
    });
    expect(status.completedAt).to.equal("2026-11-02T04:30:00.000Z");
  });

  it("keeps a condition's transition time while its status holds", () => {
    const t0 = new Date("2026-11-02T00:00:00Z");
    const t1 = new Date("2026-11-02T01:00:00Z");
    const first = setCondition([], { type: "Complete", status: "Unknown", reason: "Running", message: "" }, 1, t0);
    const same = setCondition(first, { type: "Complete", status: "Unknown", reason: "Running", message: "m" }, 1, t1);
    expect(same[0].lastTransitionTime).to.equal(t0.toISOString());
    const changed = setCondition(same, { type: "Complete", status: "True", reason: "Published", message: "" }, 2, t1);
    expect(changed).to.have.length(1);
    expect(changed[0]).to.deep.include({ lastTransitionTime: t1.toISOString(), observedGeneration: 2 });
  });

  it("asks for a compaction with the windows it replaces, under a generated name", () => {
    const daily = segmentBuildFor("search", { window: parseWindow("daily", "2026-11-01"), force: false });
    expect(daily.metadata.generateName).to.equal("daily-2026-11-01-");
    expect(daily.spec.replaces).to.have.length(24);
    expect(
      segmentBuildFor("search", { window: parseWindow("hourly", "2026-11-01T05"), force: true }).spec,
    ).to.deep.equal({
      tier: "hourly",
      window: "2026-11-01T05",
      force: true,
    });
  });

  it("fits the build's summary in a termination message, cutting the detail, and refuses Job settings naming no PodTemplate", () => {
    const record = {
      buildId: "b1",
      status: "failed",
      embeddingVersion: null,
      outputs: null,
      counts: { photos: 1 },
      timingsMs: {},
      error: "x".repeat(10_000),
      reasons: [],
    } as unknown as RunRecord;
    const text = summaryMessage(record);
    expect(Buffer.byteLength(text)).to.be.at.most(TERMINATION_MESSAGE_MAX_BYTES);
    expect(parseSummary(text)).to.deep.include({ buildId: "b1", status: "failed", counts: { photos: 1 } });
    expect(parseSummary("panic: out of memory\n")).to.equal(undefined);
    const t = testBuildJobs() as { tiers: Record<string, Record<string, unknown>> };
    expect(parseBuildJobs(JSON.stringify(t)).tiers.daily.podTemplate).to.equal("segment-build-daily");
    delete t.tiers.daily.podTemplate;
    expect(() => parseBuildJobs(JSON.stringify(t))).to.throw(/BUILD_JOBS tiers\.daily\.podTemplate/);
    t.tiers.daily.podTemplate = "Not_A_Name";
    expect(() => parseBuildJobs(JSON.stringify(t))).to.throw(/BUILD_JOBS tiers\.daily\.podTemplate: a Kubernetes name/);
    t.tiers.daily.pod = {};
    expect(() => parseBuildJobs(JSON.stringify(t))).to.throw(/BUILD_JOBS tiers\.daily/);
  });

  it("queues a key once, never works on it twice at once, and backs off a failing key", async () => {
    const running = new Set<string>();
    const calls: string[] = [];
    let overlap = false;
    let failures = 0;
    const delays: number[] = [];
    const queue = new WorkQueue(
      async (key) => {
        if (running.has(key)) overlap = true;
        running.add(key);
        calls.push(key);
        await new Promise((r) => setTimeout(r, 20));
        running.delete(key);
        if (key === "bad" && failures++ < 3) throw new Error("conflict");
      },
      { workers: 4, baseDelayMs: 10, maxDelayMs: 1000 },
      (_key, _err, retryInMs) => delays.push(retryInMs),
    );
    for (let i = 0; i < 5; i++) queue.add("a");
    queue.add("b");
    await new Promise((r) => setTimeout(r, 5));
    queue.add("a"); // while a runs: once more after it
    queue.add("bad");
    await new Promise((r) => setTimeout(r, 400));
    await queue.stop();
    expect(overlap).to.equal(false);
    expect(calls.filter((k) => k === "a")).to.have.length(2);
    expect(calls.filter((k) => k === "b")).to.have.length(1);
    expect(calls.filter((k) => k === "bad")).to.have.length(4);
    expect(delays).to.deep.equal([10, 20, 40]);
  });
});
