/**
 * What the idle check does with one instance after judging its hour: a pure function of the
 * instance's tags, the verdict and the time, so every rule (exemption and its expiry, the count,
 * warn, stop) is tested without AWS.
 */
import { IDLE_POLICY } from "../../shared/conventions";
import type { ManagedInstance } from "../shared/managed-instances";
import type { Verdict } from "./metrics";

export interface Policy {
  /** Idle hours at which the owner is warned (and every hour after, until the stop). */
  warnAfterHours: number;
  /** Idle hours at which the instance is stopped. */
  stopAfterHours: number;
}

export type Decision =
  | { kind: "skip"; why: string }
  | { kind: "kept"; until: Date }
  | { kind: "starting" }
  | { kind: "busy"; reasons: string[] }
  | { kind: "missing"; missing: string[] }
  | { kind: "idle"; hours: number }
  | { kind: "warn"; hours: number }
  | { kind: "stop"; hours: number };

export interface Plan {
  decision: Decision;
  /** The idle count to leave on the instance (undefined: leave the tag as it is). */
  idleHours?: number;
  /** The `keep` exemption has passed and its tag goes. */
  clearKeep: boolean;
}

const keepExpired = (i: ManagedInstance, now: Date) =>
  i.keepUntil !== undefined && i.keepUntil.getTime() <= now.getTime();

/** The cases settled without metrics: policy `never`, a running `keep`, a start inside the hour. */
export function settledWithoutMetrics(i: ManagedInstance, now: Date, windowStart: Date): Plan | undefined {
  if (i.idlePolicy === IDLE_POLICY.never)
    return { decision: { kind: "skip", why: "idle policy never" }, clearKeep: false };
  if (i.keepUntil !== undefined && !keepExpired(i, now)) {
    return { decision: { kind: "kept", until: i.keepUntil }, idleHours: 0, clearKeep: false };
  }
  // Started inside the hour: not a whole idle hour, and a count from before a stop is stale.
  if (i.launchTime !== undefined && i.launchTime.getTime() > windowStart.getTime()) {
    return { decision: { kind: "starting" }, idleHours: 0, clearKeep: keepExpired(i, now) };
  }
  return undefined;
}

/** The decision from the hour's verdict, for an instance `settledWithoutMetrics` left open. */
export function decide(i: ManagedInstance, verdict: Verdict, now: Date, p: Policy): Plan {
  const clearKeep = keepExpired(i, now);
  if (verdict.kind === "busy") return { decision: { kind: "busy", reasons: verdict.reasons }, idleHours: 0, clearKeep };
  // Unknown is not idle: the count neither grows nor resets.
  if (verdict.kind === "missing") return { decision: { kind: "missing", missing: verdict.missing }, clearKeep };
  const hours = i.idleHours + 1;
  if (hours >= p.stopAfterHours) return { decision: { kind: "stop", hours }, idleHours: 0, clearKeep };
  if (hours >= p.warnAfterHours) return { decision: { kind: "warn", hours }, idleHours: hours, clearKeep };
  return { decision: { kind: "idle", hours }, idleHours: hours, clearKeep };
}
