/**
 * Keeps one instance's DNS records in line with its Name tag: an A record and an ownership TXT
 * record in the forward zone, a PTR record in the reverse zone. Names belong to the instance
 * whose TXT record holds them; a second instance wanting the same name gets its id appended.
 */
import { DescribeInstancesCommand, type EC2Client } from "@aws-sdk/client-ec2";
import {
  ChangeResourceRecordSetsCommand,
  type Change,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  type Route53Client,
} from "@aws-sdk/client-route-53";
import { collisionLabel, dnsLabel, fqdn, ownerOf, ownerValue, ptrName } from "./records";

export interface Zone {
  id: string;
  name: string;
}

export interface SyncDeps {
  ec2: EC2Client;
  route53: Route53Client;
  forward: Zone;
  reverse: Zone;
  log: (level: "info" | "warn", msg: string, fields?: Record<string, unknown>) => void;
}

export type SyncResult =
  | { action: "upserted"; name: string; ip: string }
  | { action: "removed"; names: string[] }
  | { action: "skipped"; why: string };

const GONE = new Set(["shutting-down", "terminated"]);
const TTL = 60;

async function listAll(route53: Route53Client, zoneId: string): Promise<ResourceRecordSet[]> {
  const out: ResourceRecordSet[] = [];
  let start: { name?: string; type?: string } = {};
  for (;;) {
    const page = await route53.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        StartRecordName: start.name,
        StartRecordType: start.type as never,
      }),
    );
    out.push(...(page.ResourceRecordSets ?? []));
    if (!page.IsTruncated) return out;
    start = { name: page.NextRecordName, type: page.NextRecordType };
  }
}

function ownedBy(records: ResourceRecordSet[], instanceId: string): string[] {
  return records
    .filter((r) => r.Type === "TXT" && (r.ResourceRecords ?? []).some((v) => ownerOf(v.Value ?? "") === instanceId))
    .map((r) => r.Name as string);
}

function holderOf(records: ResourceRecordSet[], name: string): string | undefined {
  const txt = records.find((r) => r.Type === "TXT" && r.Name === name);
  return txt?.ResourceRecords?.map((v) => ownerOf(v.Value ?? "")).find((o) => o !== undefined);
}

function deletions(
  forward: ResourceRecordSet[],
  reverse: ResourceRecordSet[],
  names: string[],
): { fwd: Change[]; rev: Change[] } {
  const fwd = forward
    .filter((r) => names.includes(r.Name as string) && (r.Type === "A" || r.Type === "TXT"))
    .map((r) => ({ Action: "DELETE" as const, ResourceRecordSet: r }));
  const rev = reverse
    .filter((r) => r.Type === "PTR" && (r.ResourceRecords ?? []).some((v) => names.includes(v.Value ?? "")))
    .map((r) => ({ Action: "DELETE" as const, ResourceRecordSet: r }));
  return { fwd, rev };
}

async function apply(route53: Route53Client, zoneId: string, changes: Change[], comment: string): Promise<void> {
  if (changes.length === 0) return;
  await route53.send(
    new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Comment: comment, Changes: changes } }),
  );
}

export async function syncInstance(deps: SyncDeps, instanceId: string, state?: string): Promise<SyncResult> {
  const [forward, reverse] = await Promise.all([
    listAll(deps.route53, deps.forward.id),
    listAll(deps.route53, deps.reverse.id),
  ]);
  const owned = ownedBy(forward, instanceId);

  const described = GONE.has(state ?? "")
    ? undefined
    : (await deps.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }))).Reservations?.[0]
        ?.Instances?.[0];
  const alive = described !== undefined && !GONE.has(described.State?.Name ?? "");
  const label = alive ? dnsLabel(described.Tags?.find((t) => t.Key === "Name")?.Value) : undefined;
  const ip = described?.PrivateIpAddress;

  if (!alive || label === undefined || ip === undefined) {
    const { fwd, rev } = deletions(forward, reverse, owned);
    await apply(deps.route53, deps.forward.id, fwd, `remove ${instanceId}`);
    await apply(deps.route53, deps.reverse.id, rev, `remove ${instanceId}`);
    if (alive && label === undefined)
      deps.log("warn", "instance has no usable Name tag; it gets no DNS name", { instanceId });
    return owned.length > 0
      ? { action: "removed", names: owned }
      : {
          action: "skipped",
          why: !alive ? "instance gone" : label === undefined ? "no usable Name tag" : "no private IP",
        };
  }

  let name = fqdn(label, deps.forward.name);
  const holder = holderOf(forward, name);
  if (holder !== undefined && holder !== instanceId) {
    deps.log("warn", "name already belongs to another instance; appending the instance id", {
      instanceId,
      name,
      holder,
    });
    name = fqdn(collisionLabel(label, instanceId), deps.forward.name);
  }
  const stale = owned.filter((n) => n !== name);
  const { fwd, rev } = deletions(forward, reverse, stale);
  const currentPtr = reverse.find((r) => r.Type === "PTR" && r.Name === ptrName(ip));
  const revWithoutSame = rev.filter((c) => c.ResourceRecordSet?.Name !== currentPtr?.Name);
  await apply(
    deps.route53,
    deps.forward.id,
    [
      ...fwd,
      { Action: "UPSERT", ResourceRecordSet: { Name: name, Type: "A", TTL, ResourceRecords: [{ Value: ip }] } },
      {
        Action: "UPSERT",
        ResourceRecordSet: { Name: name, Type: "TXT", TTL, ResourceRecords: [{ Value: ownerValue(instanceId) }] },
      },
    ],
    `name ${instanceId}`,
  );
  await apply(
    deps.route53,
    deps.reverse.id,
    [
      ...revWithoutSame,
      {
        Action: "UPSERT",
        ResourceRecordSet: { Name: ptrName(ip), Type: "PTR", TTL, ResourceRecords: [{ Value: name }] },
      },
    ],
    `name ${instanceId}`,
  );
  deps.log("info", "records upserted", { instanceId, name, ip, removed: stale });
  return { action: "upserted", name, ip };
}
