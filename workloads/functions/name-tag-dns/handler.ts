/**
 * Lambda entry of the Name-tag DNS function (EventBridge: EC2 state changes and Name tag
 * changes). Bad events are logged and dropped; AWS errors throw, so Lambda retries them.
 */
import { EC2Client } from "@aws-sdk/client-ec2";
import { Route53Client } from "@aws-sdk/client-route-53";
import { loadNameTagDnsConfig } from "./config";
import { parseEvent } from "./records";
import { syncInstance, type SyncDeps, type SyncResult } from "./sync";

function log(level: "info" | "warn", msg: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ level, msg, fn: "name-tag-dns", ...fields })}\n`);
}

let deps: SyncDeps | undefined;

function dependencies(): SyncDeps {
  // Read once per container, on the first event: a bad variable fails every invocation, naming it.
  deps ??= {
    ...loadNameTagDnsConfig(),
    ec2: new EC2Client({}),
    // Route 53 is a global service: its API lives in us-east-1 whatever the function's region.
    route53: new Route53Client({ region: "us-east-1" }),
    log,
  };
  return deps;
}

export async function handle(event: unknown, d: SyncDeps): Promise<SyncResult> {
  const parsed = parseEvent(event);
  if (parsed.kind === "ignored") {
    d.log("warn", "event ignored", { why: parsed.why });
    return { action: "skipped", why: parsed.why };
  }
  return syncInstance(d, parsed.instanceId, parsed.kind === "state" ? parsed.state : undefined);
}

export const handler = (event: unknown): Promise<SyncResult> => handle(event, dependencies());
