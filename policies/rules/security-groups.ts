/** Security groups: nothing reachable from the whole internet unless its port is on the allow-list. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { asArray, forTypes, type Props } from "./util";

export const OPEN_CIDRS = ["0.0.0.0/0", "::/0"];

export interface SecurityGroupConfig {
  allowedPorts: number[];
}

interface Ingress {
  from: number;
  to: number;
  protocol: string;
  cidrs: string[];
}

const ALL_PROTOCOLS = ["-1", "all"];

/** An open rule passes only if every port it opens is allowed; "all protocols" opens every port. */
function check(rule: Ingress, allowed: number[]): string | undefined {
  const open = rule.cidrs.filter((c) => OPEN_CIDRS.includes(c));
  if (open.length === 0) return undefined;
  const everyPort = ALL_PROTOCOLS.includes(String(rule.protocol).toLowerCase());
  const from = everyPort ? 0 : Number(rule.from);
  const to = everyPort ? 65535 : Number(rule.to);
  const ok =
    Number.isFinite(from) &&
    Number.isFinite(to) &&
    to - from < 65536 &&
    Array.from({ length: to - from + 1 }, (_, i) => from + i).every((p) => allowed.includes(p));
  if (ok) return undefined;
  const ports = everyPort ? "all ports" : from === to ? `port ${from}` : `ports ${from}-${to}`;
  return `ingress from ${open.join(", ")} on ${ports} (${rule.protocol}); allowed open ports: ${allowed.length ? allowed.join(", ") : "none"}`;
}

const ruleFrom = (r: Props, cidrKeys: string[], protocolKey: string): Ingress => ({
  from: Number(r.fromPort ?? 0),
  to: Number(r.toPort ?? r.fromPort ?? 65535),
  protocol: String(r[protocolKey] ?? "tcp"),
  cidrs: cidrKeys.flatMap((k) => asArray<string>(r[k])),
});

export const securityGroupPolicies: ResourceValidationPolicy[] = [
  {
    name: "security-group-no-public-ingress",
    description: "Security groups and their rules admit no ingress from 0.0.0.0/0 or ::/0 except on configured ports.",
    enforcementLevel: "mandatory",
    configSchema: {
      properties: {
        allowedPorts: {
          type: "array",
          items: { type: "integer", minimum: 0, maximum: 65535 },
          default: [],
          description: "Ports that may be open to the internet (e.g. 443 for a public load balancer).",
        },
      },
    },
    validateResource: [
      forTypes(["aws:ec2/securityGroup:SecurityGroup"], (props, args, report) => {
        const { allowedPorts } = args.getConfig<SecurityGroupConfig>();
        for (const r of asArray<Props>(props.ingress)) {
          const problem = check(ruleFrom(r, ["cidrBlocks", "ipv6CidrBlocks"], "protocol"), allowedPorts);
          if (problem) report(problem);
        }
      }),
      forTypes(["aws:ec2/securityGroupRule:SecurityGroupRule"], (props, args, report) => {
        if (props.type !== "ingress") return;
        const problem = check(
          ruleFrom(props, ["cidrBlocks", "ipv6CidrBlocks"], "protocol"),
          args.getConfig<SecurityGroupConfig>().allowedPorts,
        );
        if (problem) report(problem);
      }),
      forTypes(["aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"], (props, args, report) => {
        const problem = check(
          ruleFrom(props, ["cidrIpv4", "cidrIpv6"], "ipProtocol"),
          args.getConfig<SecurityGroupConfig>().allowedPorts,
        );
        if (problem) report(problem);
      }),
    ],
  },
];
