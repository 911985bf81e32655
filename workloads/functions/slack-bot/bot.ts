/**
 * One slash-command request, from the function URL's event to the HTTP answer: check Slack's
 * signature on the raw body, parse the form, run the command, log who did what with which
 * outcome, and hand slow work (waiting for a start or stop to finish) to a follow-up that reports
 * through `response_url`. Refusals take no action; a bad signature gets a bare 401, a second use of
 * a signed request (a replay inside the five-minute window) a refusal that says so.
 */
import { DescribeInstancesCommand, type EC2Client } from "@aws-sdk/client-ec2";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../../shared/log";
import { respond } from "../shared/slack";
import { runCommand, type Access, type Outcome } from "./commands";
import type { ReplayGuard } from "./replay-guard";
import { verify } from "./signature";

/** The parts of a Lambda function URL (payload 2.0) event the bot reads. */
export interface UrlEvent {
  headers?: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
}

export interface UrlResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export interface FollowUp {
  kind: "await-state";
  instanceId: string;
  name: string;
  state: "running" | "stopped";
  responseUrl: string;
  userId: string;
}

export interface BotDeps {
  ec2: EC2Client;
  signingSecret: () => Promise<string>;
  /** Records each verified request; refuses one already recorded. */
  replayGuard: ReplayGuard;
  access: Access;
  maxKeepHours: number;
  zoneName?: string;
  responseUrlPrefix: string;
  /** Runs a follow-up after the answer (in Lambda: an asynchronous invocation of this function). */
  dispatch: (f: FollowUp) => Promise<void>;
  log: Logger;
  now?: () => Date;
}

const json = (statusCode: number, body: unknown): UrlResult => ({
  statusCode,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});
const ephemeral = (text: string) => json(200, { response_type: "ephemeral", text });

export async function handleRequest(event: UrlEvent, deps: BotDeps): Promise<UrlResult> {
  const now = deps.now?.() ?? new Date();
  const raw = event.isBase64Encoded ? Buffer.from(event.body ?? "", "base64").toString("utf8") : (event.body ?? "");
  const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const check = verify(await deps.signingSecret(), headers, raw, now);
  if (!check.ok) {
    deps.log.warn({ event: "gpu-command", outcome: "unauthenticated", reason: check.reason }, "request refused");
    return json(401, { error: "invalid request signature" });
  }
  // Recorded before anything runs; if the record cannot be written, nothing runs either.
  let firstUse: boolean;
  try {
    firstUse = await deps.replayGuard(
      headers["x-slack-signature"] as string,
      headers["x-slack-request-timestamp"] as string,
    );
  } catch (err) {
    deps.log.error({ event: "gpu-command", outcome: "error", err: (err as Error).message }, "could not record request");
    return ephemeral("That did not work: the request could not be recorded, so nothing was done. Try again.");
  }
  if (!firstUse) {
    deps.log.warn({ event: "gpu-command", outcome: "replayed" }, "request refused: already used");
    return ephemeral("This request was already received once and is not run again. Send the command anew.");
  }
  const form = new URLSearchParams(raw);
  const userId = form.get("user_id") ?? "";
  const text = form.get("text") ?? "";
  const responseUrl = form.get("response_url") ?? "";
  const who = {
    user: userId,
    userName: form.get("user_name") ?? undefined,
    command: `${form.get("command") ?? "/gpu"} ${text}`.trim(),
  };
  let result: Outcome;
  try {
    result = await runCommand(userId, text, {
      ec2: deps.ec2,
      access: deps.access,
      maxKeepHours: deps.maxKeepHours,
      zoneName: deps.zoneName,
      now,
    });
  } catch (err) {
    deps.log.error({ event: "gpu-command", ...who, outcome: "error", err: (err as Error).message }, "command failed");
    return ephemeral(`That did not work: ${(err as Error).message}`);
  }
  deps.log.info({ event: "gpu-command", ...who, outcome: result.outcome, instance: result.instance }, result.text);
  if (result.awaitState && responseUrl.startsWith(deps.responseUrlPrefix)) {
    try {
      await deps.dispatch({ kind: "await-state", ...result.awaitState, responseUrl, userId });
    } catch (err) {
      deps.log.error(
        { event: "follow-up-dispatch", ...who, err: (err as Error).message },
        "could not dispatch follow-up",
      );
    }
  }
  return ephemeral(result.text);
}

/** Waits (bounded) for the instance to reach the state and says so through response_url. */
export async function followUp(
  f: FollowUp,
  deps: { ec2: EC2Client; log: Logger; responseUrlPrefix: string; pollMs?: number; timeoutMs?: number },
): Promise<string> {
  if (!f.responseUrl.startsWith(deps.responseUrlPrefix)) throw new Error("response_url outside the allowed prefix");
  const deadline = Date.now() + (deps.timeoutMs ?? 240_000);
  let state = "unknown";
  while (Date.now() < deadline) {
    const res = await deps.ec2.send(new DescribeInstancesCommand({ InstanceIds: [f.instanceId] }));
    state = res.Reservations?.[0]?.Instances?.[0]?.State?.Name ?? "unknown";
    if (state === f.state) break;
    await sleep(deps.pollMs ?? 5000);
  }
  const text =
    state === f.state
      ? `${f.name} is ${state}.`
      : `${f.name} is still ${state}; check again with \`/gpu status ${f.name}\`.`;
  await respond(f.responseUrl, text);
  deps.log.info({ event: "gpu-follow-up", user: f.userId, instance: f.instanceId, state }, text);
  return text;
}
