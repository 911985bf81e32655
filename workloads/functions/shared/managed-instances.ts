/**
 * The platform's managed EC2 instances (tag `TAG.managed`) as the idle check and the Slack bot see
 * them: who owns them, their idle count and their `keep` exemption, all read from tags. Nothing
 * here ever returns an instance without the managed tag, so nothing else can be acted on.
 */
import { DescribeInstancesCommand, type EC2Client, type Filter, type Instance } from "@aws-sdk/client-ec2";
import { IDLE_POLICY, MANAGED_VALUE, TAG } from "../../shared/conventions";

export interface ManagedInstance {
  id: string;
  /** Name tag (also its DNS name in the research zone). */
  name: string;
  owner: string;
  slackUser?: string;
  state: string;
  instanceType: string;
  launchTime?: Date;
  privateIp?: string;
  idlePolicy: string;
  /** Consecutive idle hours counted so far (0 when the tag is absent or unreadable). */
  idleHours: number;
  /** Until when the idle check leaves the instance alone; undefined when there is no (readable) exemption. */
  keepUntil?: Date;
}

function tagMap(i: Instance): Record<string, string> {
  return Object.fromEntries((i.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]));
}

export function toManaged(i: Instance): ManagedInstance | undefined {
  const tags = tagMap(i);
  if (tags[TAG.managed] !== MANAGED_VALUE || !i.InstanceId) return undefined;
  const hours = Number(tags[TAG.idleHours]);
  const keep = tags[TAG.keepUntil] ? new Date(tags[TAG.keepUntil]) : undefined;
  return {
    id: i.InstanceId,
    name: tags.Name || i.InstanceId,
    owner: tags[TAG.owner] ?? "",
    slackUser: tags[TAG.slackUser] || undefined,
    state: i.State?.Name ?? "unknown",
    instanceType: i.InstanceType ?? "unknown",
    launchTime: i.LaunchTime,
    privateIp: i.PrivateIpAddress,
    idlePolicy: tags[TAG.idlePolicy] || IDLE_POLICY.stopWhenIdle,
    idleHours: Number.isInteger(hours) && hours > 0 ? hours : 0,
    keepUntil: keep && !Number.isNaN(keep.getTime()) ? keep : undefined,
  };
}

/** Managed instances, optionally narrowed (by state, owner, name); pages through every result. */
export async function listManaged(ec2: EC2Client, filters: Filter[] = []): Promise<ManagedInstance[]> {
  const out: ManagedInstance[] = [];
  let token: string | undefined;
  do {
    const page = await ec2.send(
      new DescribeInstancesCommand({
        Filters: [{ Name: `tag:${TAG.managed}`, Values: [MANAGED_VALUE] }, ...filters],
        NextToken: token,
      }),
    );
    for (const r of page.Reservations ?? [])
      for (const i of r.Instances ?? []) {
        const m = toManaged(i);
        if (m && m.state !== "terminated") out.push(m);
      }
    token = page.NextToken;
  } while (token);
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
