/**
 * The `/gpu` slash command: `list`, `status <name>`, `start <name>`, `stop <name>`,
 * `keep <name> <hours>`. A researcher (Slack user id → owner, from the ops config) acts on their
 * own managed instances; an admin on any managed instance; anyone else on nothing. Only instances
 * carrying the platform's managed tag are ever looked up, so nothing else can be touched.
 */
import { CreateTagsCommand, StartInstancesCommand, StopInstancesCommand, type EC2Client } from "@aws-sdk/client-ec2";
import { TAG } from "../../shared/conventions";
import { listManaged, type ManagedInstance } from "../shared/managed-instances";

export interface Access {
  /** Slack user id → owner name (the instances' owner tag). */
  researchers: Record<string, string>;
  /** Slack user ids that may act on every managed instance. */
  admins: string[];
}

export interface CommandContext {
  ec2: EC2Client;
  access: Access;
  maxKeepHours: number;
  /** The research zone, to show each instance's DNS name. */
  zoneName?: string;
  now: Date;
}

export interface Outcome {
  /** What the user is told right away. */
  text: string;
  /** `ok`, `refused` (not allowed, unknown), `invalid` (bad command). */
  outcome: "ok" | "refused" | "invalid";
  /** The instance acted on, if any. */
  instance?: string;
  /** A state to wait for and report through response_url (start/stop take a minute). */
  awaitState?: { instanceId: string; name: string; state: "running" | "stopped" };
}

export const USAGE =
  "Usage: `/gpu list` | `/gpu status <name>` | `/gpu start <name>` | `/gpu stop <name>` | `/gpu keep <name> <hours>`";

function describe(i: ManagedInstance, ctx: CommandContext): string {
  const dns = ctx.zoneName ? ` ${i.name}.${ctx.zoneName}` : "";
  const keep = i.keepUntil && i.keepUntil > ctx.now ? `, kept until ${i.keepUntil.toISOString()}` : "";
  return `*${i.name}* (${i.id}, ${i.instanceType}, owner ${i.owner}): ${i.state}${dns}, idle ${i.idleHours} h${keep}`;
}

export async function runCommand(userId: string, text: string, ctx: CommandContext): Promise<Outcome> {
  const owner = ctx.access.researchers[userId];
  const admin = ctx.access.admins.includes(userId);
  if (owner === undefined && !admin)
    return {
      text: "You are not registered for research GPU instances. Ask the platform team to add you.",
      outcome: "refused",
    };
  const [verb = "", name, arg, ...rest] = text.trim().split(/\s+/).filter(Boolean);
  if (verb === "list" && name === undefined) {
    const mine = await listManaged(ctx.ec2, admin ? [] : [{ Name: `tag:${TAG.owner}`, Values: [owner] }]);
    if (mine.length === 0) return { text: "No GPU instances.", outcome: "ok" };
    return { text: mine.map((i) => describe(i, ctx)).join("\n"), outcome: "ok" };
  }
  const needsHours = verb === "keep";
  if (!["status", "start", "stop", "keep"].includes(verb) || !name || rest.length > 0 || (needsHours ? !arg : arg))
    return { text: USAGE, outcome: "invalid" };
  // DescribeInstances filters read * and ? as wildcards: a name is matched literally or not at all.
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(name))
    return { text: `No managed GPU instance is named ${name}.`, outcome: "invalid" };
  let hours = 0;
  if (needsHours) {
    hours = Number(arg);
    if (!Number.isInteger(hours) || hours < 1 || hours > ctx.maxKeepHours)
      return { text: `Hours must be a whole number from 1 to ${ctx.maxKeepHours}.`, outcome: "invalid" };
  }
  const [target] = await listManaged(ctx.ec2, [{ Name: "tag:Name", Values: [name] }]);
  if (target === undefined) return { text: `No managed GPU instance is named ${name}.`, outcome: "refused" };
  if (!admin && target.owner !== owner)
    return {
      text: `${name} belongs to ${target.owner || "someone else"}; you can act on your own instances only.`,
      outcome: "refused",
      instance: target.id,
    };
  const base = { outcome: "ok" as const, instance: target.id };
  switch (verb) {
    case "status":
      return { ...base, text: describe(target, ctx) };
    case "start":
      if (target.state === "running") return { ...base, text: `${name} is already running.` };
      await ctx.ec2.send(new StartInstancesCommand({ InstanceIds: [target.id] }));
      return {
        ...base,
        text: `Starting ${name} (${target.id}); I will tell you when it is running.`,
        awaitState: { instanceId: target.id, name, state: "running" },
      };
    case "stop":
      if (target.state === "stopped") return { ...base, text: `${name} is already stopped.` };
      await ctx.ec2.send(new StopInstancesCommand({ InstanceIds: [target.id] }));
      return {
        ...base,
        text: `Stopping ${name} (${target.id}); its disk is kept.`,
        awaitState: { instanceId: target.id, name, state: "stopped" },
      };
    default: {
      const until = new Date(ctx.now.getTime() + hours * 3600_000);
      await ctx.ec2.send(
        new CreateTagsCommand({
          Resources: [target.id],
          Tags: [
            { Key: TAG.keepUntil, Value: until.toISOString() },
            { Key: TAG.idleHours, Value: "0" },
          ],
        }),
      );
      return { ...base, text: `${name} will not be stopped for being idle until ${until.toISOString()}.` };
    }
  }
}
