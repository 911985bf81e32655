/**
 * One run of the idle check: for every running managed instance, judge the last hour, count idle
 * hours on the instance's tag, warn the owner in Slack at the warn threshold and stop the
 * instance at the stop threshold. Stopping never waits on Slack: a Slack failure is reported in
 * the run's report (and logs) and the stop stands. In dry-run mode nothing is tagged, stopped or
 * sent; the report says what would have been done.
 */
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CreateTagsCommand, DeleteTagsCommand, StopInstancesCommand, type EC2Client } from "@aws-sdk/client-ec2";
import { TAG } from "../../shared/conventions";
import type { Logger } from "../../shared/log";
import { listManaged, type ManagedInstance } from "../shared/managed-instances";
import type { SlackClient } from "../shared/slack";
import { decide, settledWithoutMetrics, type Decision, type Plan, type Policy } from "./decide";
import { stopped, warning } from "./messages";
import { judge, readSeries, type Thresholds } from "./metrics";

export interface CheckSettings extends Policy {
  thresholds: Thresholds;
  /** The agent's namespace (MLPlatform/GPU). */
  namespace: string;
  dryRun: boolean;
  /** A channel for the run's summary when it has something to say (missing metrics, stops, Slack failures). */
  reportChannel?: string;
}

export interface CheckDeps {
  ec2: EC2Client;
  cloudwatch: CloudWatchClient;
  /** Slack, resolved lazily: reading its token can fail like Slack itself, and must not block a stop. */
  slack: () => Promise<SlackClient>;
  log: Logger;
}

export interface InstanceReport {
  id: string;
  name: string;
  owner: string;
  decision: Decision;
  /** What was done (or, in dry-run mode, would have been): "stopped", "tagged idle-hours=3", "messaged U123"… */
  actions: string[];
}

export interface CheckReport {
  at: string;
  dryRun: boolean;
  instances: InstanceReport[];
  /** Messages Slack did not take, with the reason. */
  slackFailures: string[];
  /** Instances the check could not judge or act on, with the reason. */
  errors: string[];
}

const WINDOW_SECONDS = 3600;

export async function runCheck(deps: CheckDeps, s: CheckSettings, now = new Date()): Promise<CheckReport> {
  const report: CheckReport = { at: now.toISOString(), dryRun: s.dryRun, instances: [], slackFailures: [], errors: [] };
  const windowStart = new Date(now.getTime() - WINDOW_SECONDS * 1000);
  const running = await listManaged(deps.ec2, [{ Name: "instance-state-name", Values: ["running"] }]);
  let slack: Promise<SlackClient> | undefined;
  const send = async (channel: string, text: string): Promise<boolean> => {
    try {
      slack ??= deps.slack();
      await (await slack).postMessage(channel, text);
      return true;
    } catch (err) {
      report.slackFailures.push(`${channel}: ${(err as Error).message}`);
      deps.log.error({ event: "slack-failed", channel, err: (err as Error).message }, "Slack did not take a message");
      return false;
    }
  };

  for (const i of running) {
    let plan: Plan;
    try {
      plan =
        settledWithoutMetrics(i, now, windowStart) ??
        decide(
          i,
          judge(
            await readSeries(deps.cloudwatch, { namespace: s.namespace, instanceId: i.id, end: now }),
            s.thresholds,
          ),
          now,
          s,
        );
    } catch (err) {
      report.errors.push(`${i.id} (${i.name}): ${(err as Error).message}`);
      deps.log.error(
        { event: "judge-failed", instance: i.id, err: (err as Error).message },
        "could not judge instance",
      );
      continue;
    }
    const entry: InstanceReport = { id: i.id, name: i.name, owner: i.owner, decision: plan.decision, actions: [] };
    report.instances.push(entry);
    await act(deps, s, i, plan, entry, report, send, now);
    deps.log.info(
      { event: "idle-check", instance: i.id, dryRun: s.dryRun, ...entry },
      `${i.name}: ${plan.decision.kind}`,
    );
  }

  if (s.reportChannel && !s.dryRun) {
    const summary = summarise(report);
    if (summary) await send(s.reportChannel, summary);
  }
  deps.log.info({ event: "idle-check-run", ...report }, "idle check done");
  return report;
}

async function act(
  deps: CheckDeps,
  s: CheckSettings,
  i: ManagedInstance,
  plan: Plan,
  entry: InstanceReport,
  report: CheckReport,
  send: (channel: string, text: string) => Promise<boolean>,
  now: Date,
): Promise<void> {
  const d = plan.decision;
  const run = async (what: string, fn: () => Promise<unknown>): Promise<boolean> => {
    if (s.dryRun) {
      entry.actions.push(`would ${what}`);
      return true;
    }
    try {
      await fn();
      entry.actions.push(what);
      return true;
    } catch (err) {
      report.errors.push(`${i.id} (${i.name}): ${what}: ${(err as Error).message}`);
      return false;
    }
  };
  // The stop comes first: nothing after it (tags, Slack) can hold it up.
  if (
    d.kind === "stop" &&
    !(await run("stop", () => deps.ec2.send(new StopInstancesCommand({ InstanceIds: [i.id] }))))
  ) {
    return;
  }
  if (plan.idleHours !== undefined && plan.idleHours !== i.idleHours) {
    const hours = String(plan.idleHours);
    await run(`tag ${TAG.idleHours}=${hours}`, () =>
      deps.ec2.send(new CreateTagsCommand({ Resources: [i.id], Tags: [{ Key: TAG.idleHours, Value: hours }] })),
    );
  }
  if (plan.clearKeep) {
    await run(`remove expired ${TAG.keepUntil}`, () =>
      deps.ec2.send(new DeleteTagsCommand({ Resources: [i.id], Tags: [{ Key: TAG.keepUntil }] })),
    );
  }
  if (d.kind !== "warn" && d.kind !== "stop") return;
  if (!i.slackUser) {
    report.errors.push(`${i.id} (${i.name}): no ${TAG.slackUser} tag, owner ${i.owner || "(none)"} not told`);
    return;
  }
  const text = d.kind === "warn" ? warning(i, d.hours, s.stopAfterHours, now) : stopped(i, d.hours);
  if (s.dryRun) entry.actions.push(`would message ${i.slackUser}`);
  else if (await send(i.slackUser, text)) entry.actions.push(`messaged ${i.slackUser}`);
}

function summarise(r: CheckReport): string | undefined {
  const lines: string[] = [];
  for (const i of r.instances) {
    if (i.decision.kind === "stop")
      lines.push(`stopped ${i.name} (${i.id}, ${i.owner}) after ${i.decision.hours} idle hours`);
    if (i.decision.kind === "missing")
      lines.push(`no metrics for ${i.name} (${i.id}, ${i.owner}): ${i.decision.missing.join("; ")}`);
  }
  lines.push(...r.errors.map((e) => `error: ${e}`));
  lines.push(...r.slackFailures.map((e) => `Slack failed: ${e}`));
  return lines.length > 0 ? `GPU idle check ${r.at}:\n${lines.map((l) => `• ${l}`).join("\n")}` : undefined;
}
