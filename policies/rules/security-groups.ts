/**
 * Network ingress: nothing reachable from the internet unless its port is on the allow-list.
 * "The internet" is judged by address arithmetic (`cidr.ts`), over every rule of the same
 * security group (or network ACL) that opens overlapping ports, so 0.0.0.0/1 + 128.0.0.0/1 in two
 * rules, or a public /8, is as open as 0.0.0.0/0.
 *
 * Security groups: inline `ingress` of `aws:ec2/securityGroup` and `aws:ec2/defaultSecurityGroup`, `aws:ec2/securityGroupRule`
 * (type ingress) and `aws:vpc/securityGroupIngressRule`, grouped by the group they name (by
 * dependency on it, else by its `securityGroupId`). Network ACLs: inline `ingress` of
 * `aws:ec2/networkAcl` and `aws:ec2/defaultNetworkAcl`, and `aws:ec2/networkAclRule` with
 * `egress` false; only allow rules count, and a lower-numbered deny is not credited (the check is
 * conservative: open a port on purpose by listing it in `allowedPorts`).
 */
import type { PolicyConfigSchema, PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { opensInternet, type Broadness } from "./cidr";
import { asArray, byType, known, perResource, str, type Props } from "./util";

export const OPEN_CIDRS = ["0.0.0.0/0", "::/0"];

export interface NetworkConfig extends Broadness {
  allowedPorts: number[];
}

interface Ingress {
  /** Resource reporting the rule. */
  urn: string;
  /** Security group or ACL the rule belongs to. */
  group: string;
  from: number;
  to: number;
  protocol: string;
  cidrs: string[];
}

const EVERY_PROTOCOL = ["-1", "all"];

function ports(r: Ingress): [number, number] {
  if (EVERY_PROTOCOL.includes(String(r.protocol).toLowerCase())) return [0, 65535];
  const from = Number.isFinite(r.from) ? r.from : 0;
  const to = Number.isFinite(r.to) ? r.to : 65535;
  return [Math.max(0, from), Math.min(65535, to)];
}

/** Ports of the rule that are not on the allow-list (capped: one disallowed port is enough to say so). */
function disallowed(r: Ingress, allowed: number[]): [number, number] | undefined {
  const [from, to] = ports(r);
  for (let p = from; p <= to; p++) if (!allowed.includes(p)) return [from, to];
  return undefined;
}

const overlap = (a: [number, number], b: [number, number]) => a[0] <= b[1] && b[0] <= a[1];

function describe(r: Ingress): string {
  const [from, to] = ports(r);
  if (from === 0 && to === 65535) return `all ports (${r.protocol})`;
  return from === to ? `port ${from} (${r.protocol})` : `ports ${from}-${to} (${r.protocol})`;
}

/** How one kind of rule spells its CIDR inputs and its protocol. */
interface Spelling {
  cidrKeys: string[];
  protocolKey: string;
}

function rule(urn: string, group: string, r: Props, { cidrKeys, protocolKey }: Spelling): Ingress {
  return {
    urn,
    group,
    from: Number(r.fromPort ?? 0),
    to: Number(r.toPort ?? r.fromPort ?? 65535),
    protocol: String(r[protocolKey] ?? "tcp"),
    cidrs: cidrKeys.flatMap((k) => asArray<unknown>(r[k]).filter((c): c is string => typeof c === "string")),
  };
}

/** The group a separate rule belongs to: the security group / ACL it depends on, else the id it names. */
function groupOf(r: PolicyResource, groupTypes: string[], idInput: string): string {
  const dep = r.dependencies.find((d) => groupTypes.includes(d.type));
  return dep?.urn ?? known(() => str((r.props as Props)[idInput])) ?? r.urn;
}

function violations(rules: Ingress[], cfg: NetworkConfig): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of rules) {
    const bad = disallowed(r, cfg.allowedPorts);
    if (!bad || r.cidrs.length === 0) continue;
    const together = rules.filter(
      (o) => o.group === r.group && disallowed(o, cfg.allowedPorts) && overlap(ports(o), bad),
    );
    const cidrs = [...new Set(together.flatMap((o) => o.cidrs))];
    if (!opensInternet(cidrs, cfg)) continue;
    const own = r.cidrs.join(", ");
    const others = cidrs.filter((c) => !r.cidrs.includes(c));
    const msg =
      `ingress from ${own}${others.length ? ` (with ${others.join(", ")} in the same group)` : ""} on ${describe(r)} ` +
      `opens a public range broader than /${cfg.ipv4Prefix} (IPv6 /${cfg.ipv6Prefix}); allowed open ports: ${cfg.allowedPorts.length ? cfg.allowedPorts.join(", ") : "none"}`;
    out.set(r.urn, [...(out.get(r.urn) ?? []), msg]);
  }
  return out;
}

const SG = "aws:ec2/securityGroup:SecurityGroup";
/** A VPC's default group takes the same inline `ingress`, and instances without groups land in it. */
const DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup";
const GROUPS = [SG, DEFAULT_SG];
const NACLS = ["aws:ec2/networkAcl:NetworkAcl", "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl"];

const configSchema: PolicyConfigSchema = {
  properties: {
    allowedPorts: {
      type: "array",
      items: { type: "integer", minimum: 0, maximum: 65535 },
      default: [],
      description: "Ports that may be open to the internet (e.g. 443 for a public load balancer).",
    },
    ipv4Prefix: {
      type: "integer",
      minimum: 0,
      maximum: 32,
      default: 24,
      description: "A public IPv4 range broader than this prefix (e.g. more than a /24) counts as the internet.",
    },
    ipv6Prefix: {
      type: "integer",
      minimum: 0,
      maximum: 128,
      default: 48,
      description: "A public IPv6 range broader than this prefix counts as the internet.",
    },
  },
};

/** Where one kind of resource keeps ingress rules, and how they are spelt. */
interface IngressSource extends Spelling {
  types: string[];
  /** The rules a resource holds: its inline `ingress` list, or the resource itself. */
  rules: (props: Props) => Props[];
  /** Whether a rule lets traffic in (ingress, allow); every rule when absent. */
  admits?: (rule: Props) => boolean;
  /** The security group or network ACL the resource's rules belong to. */
  group: (r: PolicyResource) => string;
}

const inline = (props: Props) => asArray<Props>(props.ingress);
const itself = (props: Props) => [props];
const itsOwn = (r: PolicyResource) => r.urn;
const allows = (action: unknown) => String(action ?? "").toLowerCase() === "allow";
const SG_SPELLING: Spelling = { cidrKeys: ["cidrBlocks", "ipv6CidrBlocks"], protocolKey: "protocol" };
const NACL_SPELLING: Spelling = { cidrKeys: ["cidrBlock", "ipv6CidrBlock"], protocolKey: "protocol" };

/**
 * The ingress rules of every source, each resource read on its own (an unknown value costs a note
 * on that resource only), judged together so that rules of one group add up.
 */
function judgeIngress(sources: IngressSource[]): StackValidationPolicy["validateStack"] {
  return (args, report) => {
    const cfg = args.getConfig<NetworkConfig>();
    const rules: Ingress[] = [];
    for (const source of sources) {
      for (const r of byType(args.resources, ...source.types)) {
        perResource(report, r.urn, () => {
          for (const raw of source.rules(r.props as Props))
            if (source.admits?.(raw) ?? true) rules.push(rule(r.urn, source.group(r), raw, source));
        });
      }
    }
    for (const [urn, messages] of violations(rules, cfg)) for (const m of messages) report(m, urn);
  };
}

export const securityGroupPolicies: StackValidationPolicy[] = [
  {
    name: "security-group-no-public-ingress",
    description:
      "Security groups and their rules, taken together, admit no ingress from a public range (0.0.0.0/0, ::/0, or CIDRs that add up to a broad public range) except on configured ports.",
    configSchema,
    validateStack: judgeIngress([
      { types: GROUPS, rules: inline, group: itsOwn, ...SG_SPELLING },
      {
        types: ["aws:ec2/securityGroupRule:SecurityGroupRule"],
        rules: itself,
        admits: (r) => r.type === "ingress",
        group: (r) => groupOf(r, GROUPS, "securityGroupId"),
        ...SG_SPELLING,
      },
      {
        types: ["aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"],
        rules: itself,
        group: (r) => groupOf(r, GROUPS, "securityGroupId"),
        cidrKeys: ["cidrIpv4", "cidrIpv6"],
        protocolKey: "ipProtocol",
      },
    ]),
  },
  {
    name: "network-acl-no-public-ingress",
    description:
      "Network ACL allow rules, taken together, admit no ingress from a public range except on configured ports (ephemeral return ports must be listed on purpose).",
    configSchema,
    validateStack: judgeIngress([
      { types: NACLS, rules: inline, admits: (r) => allows(r.action), group: itsOwn, ...NACL_SPELLING },
      {
        types: ["aws:ec2/networkAclRule:NetworkAclRule"],
        rules: itself,
        admits: (r) => r.egress !== true && allows(r.ruleAction),
        group: (r) => groupOf(r, NACLS, "networkAclId"),
        ...NACL_SPELLING,
      },
    ]),
  },
];
