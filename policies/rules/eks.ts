/**
 * EKS clusters: the API endpoint is not open to the whole internet, and Kubernetes secrets are
 * envelope-encrypted with KMS. Both the raw `aws:eks/cluster:Cluster` and the @pulumi/eks
 * component (`eks:index:Cluster`) are checked: offline, the component's children are invisible,
 * so its own inputs are all there is to judge.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { asArray, forTypes, isRecord, str, type Props } from "./util";
import { opensInternet } from "./cidr";

const AWS_CLUSTER = "aws:eks/cluster:Cluster";
const EKS_COMPONENT = "eks:index:Cluster";

/** AWS defaults: the public endpoint is on, open to 0.0.0.0/0, unless told otherwise. */
function publicEndpointProblem(enabled: unknown, cidrs: unknown): string | undefined {
  if (enabled === false) return undefined;
  const list = asArray<string>(cidrs);
  if (list.length === 0)
    return "public API endpoint is enabled with no publicAccessCidrs (AWS then admits 0.0.0.0/0); disable it or restrict the CIDRs";
  // Judged like security groups: CIDRs that add up to a broad public range are the internet.
  return opensInternet(list, { ipv4Prefix: 24, ipv6Prefix: 48 })
    ? `public API endpoint admits ${list.join(", ")}, a public range broader than /24`
    : undefined;
}

export const eksPolicies: ResourceValidationPolicy[] = [
  {
    name: "eks-no-public-endpoint",
    description: "EKS cluster API endpoints are private or restricted to specific CIDRs.",
    validateResource: [
      forTypes([AWS_CLUSTER], (props, _args, report) => {
        const vpc = isRecord(props.vpcConfig) ? props.vpcConfig : {};
        const problem = publicEndpointProblem(vpc.endpointPublicAccess, vpc.publicAccessCidrs);
        if (problem) report(problem);
      }),
      forTypes([EKS_COMPONENT], (props, _args, report) => {
        const problem = publicEndpointProblem(props.endpointPublicAccess, props.publicAccessCidrs);
        if (problem) report(problem);
      }),
    ],
  },
  {
    name: "eks-secrets-encrypted",
    description: "EKS clusters encrypt Kubernetes secrets with a KMS key.",
    validateResource: [
      forTypes([AWS_CLUSTER], (props, _args, report) => {
        const enc = isRecord(props.encryptionConfig) ? props.encryptionConfig : undefined;
        const provider = isRecord(enc?.provider) ? (enc.provider as Props) : undefined;
        if (!enc || !asArray(enc.resources).includes("secrets") || !str(provider?.keyArn)) {
          report('encryptionConfig must cover resources ["secrets"] with provider.keyArn');
        }
      }),
      forTypes([EKS_COMPONENT], (props, _args, report) => {
        if (!str(props.encryptionConfigKeyArn))
          report("encryptionConfigKeyArn must name a KMS key for secrets encryption");
      }),
    ],
  },
];
