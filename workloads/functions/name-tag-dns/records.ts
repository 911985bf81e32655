/** Pure naming rules of the Name-tag DNS function: what a Name tag becomes in DNS. */

/** A Name tag as one DNS label: lower-case letters, digits and hyphens, at most 63 characters. */
export function dnsLabel(nameTag: string | undefined): string | undefined {
  if (nameTag === undefined) return undefined;
  const label = nameTag
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63)
    .replace(/-+$/, "");
  return label.length > 0 ? label : undefined;
}

export function fqdn(label: string, zone: string): string {
  return `${label}.${zone.replace(/\.$/, "")}.`;
}

/** 10.20.3.4 → 4.3.20.10.in-addr.arpa. */
export function ptrName(ip: string): string {
  return `${ip.split(".").reverse().join(".")}.in-addr.arpa.`;
}

/** The TXT value that marks which instance a name belongs to. */
export function ownerValue(instanceId: string): string {
  return `"owner=${instanceId}"`;
}

export function ownerOf(txtValue: string): string | undefined {
  return /^"owner=(i-[0-9a-f]+)"$/.exec(txtValue)?.[1];
}

/** When another instance already holds the name, this one gets its id appended. */
export function collisionLabel(label: string, instanceId: string): string {
  return `${label.slice(0, 63 - instanceId.length - 1)}-${instanceId}`;
}

export type InstanceEvent =
  | { kind: "state"; instanceId: string; state: string }
  | { kind: "tags"; instanceId: string }
  | { kind: "ignored"; why: string };

/** EC2 state-change and tag-change events from EventBridge; anything else is ignored with a reason. */
export function parseEvent(event: unknown): InstanceEvent {
  const e = event as {
    source?: unknown;
    "detail-type"?: unknown;
    detail?: Record<string, unknown>;
    resources?: unknown;
  };
  if (e?.source === "aws.ec2" && e["detail-type"] === "EC2 Instance State-change Notification") {
    const id = e.detail?.["instance-id"];
    const state = e.detail?.state;
    if (typeof id === "string" && typeof state === "string") return { kind: "state", instanceId: id, state };
    return { kind: "ignored", why: "state-change event without instance-id or state" };
  }
  if (e?.source === "aws.tag" && e["detail-type"] === "Tag Change on Resource") {
    const arn = Array.isArray(e.resources)
      ? e.resources.find((r): r is string => typeof r === "string" && r.includes(":instance/"))
      : undefined;
    const keys = e.detail?.["changed-tag-keys"];
    if (!arn) return { kind: "ignored", why: "tag-change event without an instance ARN" };
    if (Array.isArray(keys) && !keys.includes("Name")) return { kind: "ignored", why: "tags other than Name changed" };
    return { kind: "tags", instanceId: arn.split("/").pop() as string };
  }
  return {
    kind: "ignored",
    why: `unexpected event (source ${String(e?.source)}, detail-type ${String(e?.["detail-type"])})`,
  };
}
