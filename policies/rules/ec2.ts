/** EC2 instances and launch templates: IMDSv2 only, encrypted EBS, GPU types only from the allow-list. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { asArray, forTypes, isRecord, str, type Props } from "./util";

const INSTANCE = "aws:ec2/instance:Instance";
const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
/** Node groups, and @pulumi/eks components whose children (instances, templates) are invisible offline. */
const NODE_GROUPS = [
  "aws:eks/nodeGroup:NodeGroup",
  "eks:index:Cluster",
  "eks:index:ManagedNodeGroup",
  "eks:index:NodeGroup",
  "eks:index:NodeGroupV2",
];

/**
 * Accelerated families: NVIDIA GPU (p*, g* incl. g4dn/g5/g6/g6e, gr6, g5g), AWS Inferentia/Trainium
 * (inf*, trn*), Gaudi (dl1, dl2q) and video transcoding (vt1). Costly enough to need a decision.
 */
export const GPU_FAMILY = /^(p\d|g\d|gr\d|inf\d|trn\d|dl\d|vt\d)[a-z0-9-]*\./;

export interface GpuConfig {
  allowedGpuInstanceTypes: string[];
}

/** Allow-list entries are exact types or `family.*` globs. */
export function allowed(type: string, allowList: string[]): boolean {
  return allowList.some((pattern) => {
    const re = new RegExp(
      `^${pattern
        .split("*")
        .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*")}$`,
    );
    return re.test(type);
  });
}

const truthy = (v: unknown) => v === true || v === "true";

export const ec2Policies: ResourceValidationPolicy[] = [
  {
    name: "ec2-imdsv2-required",
    description: "EC2 instances and launch templates require IMDSv2 (metadataOptions.httpTokens = required).",
    enforcementLevel: "mandatory",
    validateResource: forTypes([INSTANCE, LAUNCH_TEMPLATE], (props, _args, report) => {
      const md = props.metadataOptions;
      if (!isRecord(md) || md.httpTokens !== "required")
        report('metadataOptions.httpTokens must be "required" (IMDSv2)');
    }),
  },
  {
    name: "ec2-ebs-encrypted",
    description:
      "EBS volumes of instances and launch templates are encrypted (declared explicitly, including the root volume).",
    enforcementLevel: "mandatory",
    validateResource: [
      forTypes([INSTANCE], (props, _args, report) => {
        const root = props.rootBlockDevice;
        if (!isRecord(root) || !truthy(root.encrypted)) report("rootBlockDevice.encrypted must be true");
        asArray<Props>(props.ebsBlockDevices).forEach((d, i) => {
          if (!truthy(d?.encrypted))
            report(`ebsBlockDevices[${i}] (${String(d?.deviceName ?? "?")}) must be encrypted`);
        });
      }),
      forTypes([LAUNCH_TEMPLATE], (props, _args, report) => {
        const mappings = asArray<Props>(props.blockDeviceMappings).filter((m) => isRecord(m?.ebs));
        if (mappings.length === 0) report("blockDeviceMappings must declare the root EBS volume with encrypted = true");
        for (const m of mappings) {
          if (!truthy((m.ebs as Props).encrypted))
            report(`blockDeviceMappings ${String(m.deviceName ?? "?")}: ebs.encrypted must be true`);
        }
      }),
    ],
  },
  {
    name: "ec2-gpu-instance-allow-list",
    description: "GPU and accelerator instance types are used only from the configured allow-list.",
    enforcementLevel: "mandatory",
    configSchema: {
      properties: {
        allowedGpuInstanceTypes: {
          type: "array",
          items: { type: "string" },
          default: ["g4dn.*", "g5.*", "g6.*", "p3.2xlarge"],
          description: "Exact instance types or family globs (g5.*) that may be launched.",
        },
      },
    },
    validateResource: forTypes([INSTANCE, LAUNCH_TEMPLATE, ...NODE_GROUPS], (props, args, report) => {
      const { allowedGpuInstanceTypes } = args.getConfig<GpuConfig>();
      const types = [props.instanceType, ...asArray<unknown>(props.instanceTypes)];
      for (const t of types.map(str).filter((x): x is string => !!x)) {
        if (GPU_FAMILY.test(t) && !allowed(t, allowedGpuInstanceTypes)) {
          report(`GPU instance type ${t} is not on the allow-list (${allowedGpuInstanceTypes.join(", ")})`);
        }
      }
    }),
  },
];
