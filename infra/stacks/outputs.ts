/**
 * What each layer exports, typed once: the shape types the record the layer's program returns,
 * and the layers after it read those outputs back through `read<Layer>Outputs`, checked.
 */
import { z } from "zod";
import { awsAccountId, awsRegion } from "../config/schema";
import { readStackOutputs, type StackOutputs, type StackOutputsReader } from "../shared/stack-reference";

const name = z.string().min(1, "expected a non-empty string");
const arn = z.string().regex(/^arn:aws[a-z-]*:/, "expected an ARN");
const accountIds = z.record(z.string(), awsAccountId);

export const managementOutputs = {
  productionAccountId: awsAccountId,
  accessRoleName: name,
  researchAccountIds: accountIds,
  sandboxAccountIds: accountIds,
  auditBucketName: name,
  auditBucketArn: arn,
  /** Config's deliveries (Config does not deliver to the object-locked trail bucket). */
  configBucketName: name,
  configBucketArn: arn,
  auditKeyArn: arn,
  trailPrefix: name,
  configPrefix: name,
  /** Research stacks record Config in every region the SCP allows (none: the research stack's own). */
  allowedRegions: z.array(awsRegion),
};
export type ManagementOutputs = StackOutputs<typeof managementOutputs>;

export const researchOutputs = {
  accountId: awsAccountId,
  adminRoleArn: arn,
  vpcId: name,
  privateSubnetIds: z.array(name).min(1, "expected at least one subnet"),
  sshFromBastionSecurityGroupId: name,
  zoneId: name,
  zoneName: name,
};
export type ResearchOutputs = StackOutputs<typeof researchOutputs>;

export const opsOutputs = {
  instanceIds: z.record(z.string(), name),
  instanceNames: z.record(z.string(), name),
  slackCommandUrl: name,
  slackSecretArn: arn,
};
export type OpsOutputs = StackOutputs<typeof opsOutputs>;

export const classificationOutputs = {
  /** The photo bucket: the search layer's hourly build reads photos from it. */
  uploadBucket: name,
  queueUrl: name,
  deadLetterQueueUrl: name,
  photoTable: name,
  apiLoadBalancerDns: name,
  clusterName: name,
};
export type ClassificationOutputs = StackOutputs<typeof classificationOutputs>;

export const searchOutputs = {
  clusterName: name,
  /** Admin kubeconfig (exec-based, no static token); a secret. */
  kubeconfig: name,
  clusterEndpoint: name,
  assetRepositoryBucket: name,
  namespace: name,
  frontService: name,
  systemNodeGroup: name,
  gpuNodeGroup: name,
};
export type SearchOutputs = StackOutputs<typeof searchOutputs>;

export const readManagementOutputs = (stack: string): StackOutputsReader<typeof managementOutputs> =>
  readStackOutputs(stack, managementOutputs);
export const readResearchOutputs = (stack: string): StackOutputsReader<typeof researchOutputs> =>
  readStackOutputs(stack, researchOutputs);
export const readClassificationOutputs = (stack: string): StackOutputsReader<typeof classificationOutputs> =>
  readStackOutputs(stack, classificationOutputs);
