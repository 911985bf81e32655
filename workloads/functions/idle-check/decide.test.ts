import { expect } from "chai";
import type { ManagedInstance } from "../shared/managed-instances";
import { decide, settledWithoutMetrics } from "./decide";
import { judge, type Series } from "./metrics";
import { TEST_POLICY, TEST_THRESHOLDS as T } from "./settings.fixture";

const hour = (v: number) => Array.from({ length: 12 }, () => v);
const quiet = (): Series[] => [
  { group: "gpu", label: "GPU 0", values: hour(0) },
  { group: "gpuMemory", label: "GPU 0", values: hour(0) },
  { group: "cpu", label: "cpu0", values: hour(1) },
  { group: "cpu", label: "cpu1", values: hour(2) },
  { group: "network", label: "NetworkIn", values: hour(3000) },
  { group: "network", label: "NetworkOut", values: hour(3000) },
];

describe("idle judgement", () => {
  it("calls a quiet hour idle", () => {
    expect(judge(quiet(), T).kind).to.equal("idle");
  });

  it("one GPU of several, or one core of many, busy for one period makes the hour busy", () => {
    const gpu = [...quiet(), { group: "gpu" as const, label: "GPU 3", values: [...hour(0).slice(1), 90] }];
    expect(judge(gpu, T)).to.deep.include({ kind: "busy", reasons: ["GPU utilisation GPU 3 peaked at 90% (> 5%)"] });
    const cores: Series[] = Array.from({ length: 96 }, (_, i) => ({
      group: "cpu",
      label: `cpu${i}`,
      values: hour(i === 40 ? 100 : 0),
    }));
    const v = judge([...quiet().filter((s) => s.group !== "cpu"), ...cores], T);
    expect(v.kind).to.equal("busy");
    expect(JSON.stringify(v)).to.include("cpu40");
  });

  it("network is in + out over the period: each under the limit, together over it, is busy", () => {
    const net = quiet().map((s) => (s.group === "network" ? { ...s, values: hour(60_000 * 300) } : s));
    expect(judge(net, T).kind).to.equal("busy");
  });

  it("GPU memory held at 0 % is busy only when configured so, and then its series are required", () => {
    const held = quiet().map((s) => (s.group === "gpuMemory" ? { ...s, values: hour(8000) } : s));
    expect(judge(held, T).kind).to.equal("busy");
    expect(judge(held, { ...T, gpuMemoryHeldIsBusy: false }).kind).to.equal("idle");
    const noMemory = quiet().filter((s) => s.group !== "gpuMemory");
    expect(judge(noMemory, T).kind).to.equal("missing");
    expect(judge(noMemory, { ...T, gpuMemoryHeldIsBusy: false }).kind).to.equal("idle");
  });

  it("too few datapoints (agent stopped mid-hour) or no series is missing, not idle", () => {
    const thin = quiet().map((s) => (s.group === "gpu" ? { ...s, values: hour(0).slice(0, 5) } : s));
    expect(judge(thin, T)).to.deep.equal({ kind: "missing", missing: ["GPU utilisation: GPU 0 has 5/12 periods"] });
    expect(judge([], T).kind).to.equal("missing");
  });
});

describe("idle decisions", () => {
  const now = new Date("2026-11-23T12:00:00Z");
  const windowStart = new Date("2026-11-23T11:00:00Z");
  const base: ManagedInstance = {
    id: "i-1",
    name: "jane-gpu",
    owner: "jane",
    slackUser: "U1",
    state: "running",
    instanceType: "g5.xlarge",
    launchTime: new Date("2026-11-23T08:00:00Z"),
    idlePolicy: "stop-when-idle",
    idleHours: 0,
  };
  const idle = judge(quiet(), T);

  it("counts 1, 2, then warns at 3 and stops at 4 (count back to 0)", () => {
    const seen = [0, 1, 2, 3].map((h) => decide({ ...base, idleHours: h }, idle, now, TEST_POLICY));
    expect(seen.map((p) => [p.decision.kind, p.idleHours])).to.deep.equal([
      ["idle", 1],
      ["idle", 2],
      ["warn", 3],
      ["stop", 0],
    ]);
  });

  it("a busy hour resets; a missing hour keeps the count", () => {
    const busy = judge([...quiet(), { group: "gpu", label: "GPU 1", values: hour(50) }], T);
    expect(decide({ ...base, idleHours: 3 }, busy, now, TEST_POLICY).idleHours).to.equal(0);
    expect(decide({ ...base, idleHours: 3 }, judge([], T), now, TEST_POLICY).idleHours).to.equal(undefined);
  });

  it("keep holds until its time, then is cleared and counting goes on", () => {
    const kept = settledWithoutMetrics(
      { ...base, idleHours: 3, keepUntil: new Date("2026-11-23T12:00:01Z") },
      now,
      windowStart,
    );
    expect(kept?.decision.kind).to.equal("kept");
    const lapsed = { ...base, idleHours: 3, keepUntil: new Date("2026-11-23T12:00:00Z") };
    expect(settledWithoutMetrics(lapsed, now, windowStart)).to.equal(undefined);
    expect(decide(lapsed, idle, now, TEST_POLICY)).to.deep.include({ clearKeep: true, idleHours: 0 });
  });

  it("policy never is skipped; a start inside the hour resets the count", () => {
    expect(settledWithoutMetrics({ ...base, idlePolicy: "never" }, now, windowStart)?.decision.kind).to.equal("skip");
    const fresh = settledWithoutMetrics(
      { ...base, idleHours: 3, launchTime: new Date("2026-11-23T11:30:00Z") },
      now,
      windowStart,
    );
    expect(fresh).to.deep.equal({ decision: { kind: "starting" }, idleHours: 0, clearKeep: false });
  });
});
