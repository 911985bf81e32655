/**
 * Remote shell access (SSH, and RDP on Windows) opened by a resource's own inputs rather than by
 * a security group the network policies read: an EKS managed node group's `remoteAccess` (raw or
 * through the @pulumi/eks component, whose children are invisible offline) without source security
 * groups, on which EKS opens port 22 / 3389 to 0.0.0.0/0; and Lightsail instance public ports, which
 * admit every address when they name no CIDRs. Security groups (inline, default, rules) that open
 * these ports are judged by `security-group-no-public-ingress`, which covers every port.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { opensInternet } from "./cidr";
import { asArray, forTypes, isRecord, type Props } from "./util";

export const REMOTE_ACCESS_POLICY = "remote-access-restricted";

/** Node groups that take `remoteAccess` (`aws.types.input.eks.NodeGroupRemoteAccess`). */
const NODE_GROUPS = ["aws:eks/nodeGroup:NodeGroup", "eks:index:ManagedNodeGroup"];
const LIGHTSAIL_PORTS = "aws:lightsail/instancePublicPorts:InstancePublicPorts";

/** SSH and RDP: the shells that `remoteAccess` opens and that Lightsail's defaults open. */
export const REMOTE_SHELL_PORTS = [22, 3389];

/** Lightsail and security groups alike: a public range broader than a /24 (IPv6 /48) is everyone. */
const BROAD = { ipv4Prefix: 24, ipv6Prefix: 48 };

const strings = (v: unknown) => asArray<unknown>(v).filter((x): x is string => typeof x === "string" && x !== "");

export const remoteAccessPolicies: ResourceValidationPolicy[] = [
  {
    name: REMOTE_ACCESS_POLICY,
    description:
      "Remote shell access is never open to every address: EKS managed node groups with remoteAccess name sourceSecurityGroupIds (else EKS opens SSH/RDP to 0.0.0.0/0), and Lightsail public ports 22/3389 name CIDRs narrower than a broad public range.",
    validateResource: [
      forTypes(NODE_GROUPS, (props, _args, report) => {
        const remote = props.remoteAccess;
        if (!isRecord(remote)) return;
        if (strings(remote.sourceSecurityGroupIds).length === 0)
          report(
            "remoteAccess has no sourceSecurityGroupIds: EKS opens port 22 (3389 on Windows) on the nodes to 0.0.0.0/0; " +
              "name source security groups, or drop remoteAccess and use SSM",
          );
      }),
      forTypes([LIGHTSAIL_PORTS], (props, _args, report) => {
        asArray<Props>(props.portInfos).forEach((p, i) => {
          if (!isRecord(p)) return;
          const every = ["all", "-1"].includes(String(p.protocol).toLowerCase());
          const from = every ? 0 : Number(p.fromPort);
          const to = every ? 65535 : Number(p.toPort ?? p.fromPort);
          const shells = REMOTE_SHELL_PORTS.filter((port) => port >= from && port <= to);
          if (shells.length === 0) return;
          const v4 = strings(p.cidrs);
          const v6 = strings(p.ipv6Cidrs);
          // Lightsail admits 0.0.0.0/0 when a port names no CIDRs and no alias at all.
          const none = v4.length === 0 && v6.length === 0 && strings(p.cidrListAliases).length === 0;
          const open = none || opensInternet([...v4, ...v6], BROAD);
          if (open)
            report(
              `portInfos[${i}] opens port(s) ${shells.join(", ")} to ${v4.length || v6.length ? [...v4, ...v6].join(", ") : "every address (no cidrs)"}`,
            );
        });
      }),
    ],
  },
];
