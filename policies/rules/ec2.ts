/**
 * EC2 and images: IMDSv2 only, no public IPs, encrypted EBS (instances, launch templates, volumes),
 * AMIs and snapshots shared with no one outside the stack's accounts, and GPU / accelerator types
 * only from the allow-list wherever an instance type is chosen (instances, launch templates, node
 * groups, Auto Scaling mixed-instances overrides, SageMaker notebooks, training and endpoints).
 */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { ownAndTrustedAccounts, trustedAccountsSchema } from "./accounts";
import { asArray, byType, forTypes, isRecord, known, perResource, str, truthy, type Props } from "./util";

const INSTANCE = "aws:ec2/instance:Instance";
const VOLUME = "aws:ebs/volume:Volume";
const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
/** Node groups, and @pulumi/eks components whose children (instances, templates) are invisible offline. */
const NODE_GROUPS = [
  "aws:eks/nodeGroup:NodeGroup",
  "eks:index:Cluster",
  "eks:index:ManagedNodeGroup",
  "eks:index:NodeGroup",
  "eks:index:NodeGroupV2",
];
/** Other resources that choose instance types somewhere in their inputs (found by walking them). */
const TYPE_CHOOSERS = [
  "aws:autoscaling/group:Group",
  "aws:sagemaker/notebookInstance:NotebookInstance",
  "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
  "aws:sagemaker/trainingJob:TrainingJob",
  "aws:sagemaker/hyperParameterTuningJob:HyperParameterTuningJob",
];

/** Every `instanceType` / `instanceTypes` value anywhere in the inputs (overrides, production variants, resource configs). */
export function instanceTypesIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => instanceTypesIn(v, out));
  else if (isRecord(value)) {
    for (const k of Object.keys(value)) {
      // A value known only after deployment elsewhere in the inputs must not hide the types that are known.
      const v = known(() => value[k]);
      if (k === "instanceType" && typeof v === "string") out.push(v);
      else if (k === "instanceTypes")
        out.push(...asArray<unknown>(v).filter((x): x is string => typeof x === "string"));
      else instanceTypesIn(v, out);
    }
  }
  return out;
}

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

export const ec2Policies: (ResourceValidationPolicy | StackValidationPolicy)[] = [
  {
    name: "ec2-imdsv2-required",
    description: "EC2 instances and launch templates require IMDSv2 (metadataOptions.httpTokens = required).",
    validateResource: forTypes([INSTANCE, LAUNCH_TEMPLATE], (props, _args, report) => {
      const md = props.metadataOptions;
      if (!isRecord(md) || md.httpTokens !== "required")
        report('metadataOptions.httpTokens must be "required" (IMDSv2)');
    }),
  },
  {
    name: "ec2-ebs-encrypted",
    description:
      "EBS volumes of instances, launch templates and aws:ebs/volume are encrypted (declared explicitly, including the root volume).",
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
      forTypes([VOLUME], (props, _args, report) => {
        if (!truthy(props.encrypted)) report("encrypted must be true");
      }),
    ],
  },
  {
    name: "ec2-no-public-ip",
    description: "EC2 instances and launch templates do not give instances public IP addresses.",
    validateResource: [
      forTypes([INSTANCE], (props, _args, report) => {
        if (truthy(props.associatePublicIpAddress)) report("associatePublicIpAddress is true");
      }),
      forTypes([LAUNCH_TEMPLATE], (props, _args, report) => {
        asArray<unknown>(props.networkInterfaces).forEach((n, i) => {
          if (isRecord(n) && truthy(n.associatePublicIpAddress))
            report(`networkInterfaces[${i}].associatePublicIpAddress is true`);
        });
      }),
    ],
  },
  {
    name: "ec2-image-sharing",
    description:
      "AMI launch permissions and EBS snapshot create-volume permissions are neither public nor granted to accounts outside the stack's own (and trustedAccounts).",
    configSchema: trustedAccountsSchema(
      "Account ids, besides the stack's own (its providers' allowedAccountIds), images may be shared with.",
    ),
    validateStack: (args, report) => {
      const own = ownAndTrustedAccounts(args);
      for (const r of byType(args.resources, "aws:ec2/amiLaunchPermission:AmiLaunchPermission")) {
        perResource(report, r.urn, () => {
          const props = r.props as Props;
          if (props.group === "all") report("launch permission for group all: the AMI is public", r.urn);
          const account = str(props.accountId);
          if (account && !own.has(account)) report(`launch permission for foreign account ${account}`, r.urn);
        });
      }
      for (const r of byType(args.resources, "aws:ec2/snapshotCreateVolumePermission:SnapshotCreateVolumePermission")) {
        perResource(report, r.urn, () => {
          const account = str((r.props as Props).accountId);
          if (account === "all") report("create-volume permission for all: the snapshot is public", r.urn);
          else if (account && !own.has(account))
            report(`create-volume permission for foreign account ${account}`, r.urn);
        });
      }
    },
  },
  {
    name: "ec2-gpu-instance-allow-list",
    description:
      "GPU and accelerator instance types (EC2, node groups, Auto Scaling overrides, SageMaker) are used only from the configured allow-list.",
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
    validateResource: forTypes([INSTANCE, LAUNCH_TEMPLATE, ...NODE_GROUPS, ...TYPE_CHOOSERS], (props, args, report) => {
      const { allowedGpuInstanceTypes } = args.getConfig<GpuConfig>();
      for (const t of new Set(instanceTypesIn(props))) {
        // SageMaker spells EC2 types with an `ml.` prefix; the allow-list is in EC2 terms.
        const ec2 = t.replace(/^ml\./, "");
        if (GPU_FAMILY.test(ec2) && !allowed(ec2, allowedGpuInstanceTypes)) {
          report(`GPU instance type ${t} is not on the allow-list (${allowedGpuInstanceTypes.join(", ")})`);
        }
      }
    }),
  },
];
