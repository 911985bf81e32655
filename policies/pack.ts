/** The ML platform's policies, in one list; `index.ts` serves them as a CrossGuard pack. */
import type { Policy } from "@pulumi/policy";
import { budgetPolicies } from "./rules/budgets";
import { cloudtrailPolicies } from "./rules/cloudtrail";
import { configPolicies } from "./rules/config";
import { databasePolicies } from "./rules/databases";
import { ec2Policies } from "./rules/ec2";
import { ecsPolicies } from "./rules/ecs";
import { eksPolicies } from "./rules/eks";
import { exemptionClaimPolicies } from "./rules/exemption-claims";
import { iamPolicies } from "./rules/iam";
import { kubernetesPolicies } from "./rules/kubernetes";
import { lambdaPolicies } from "./rules/lambda";
import { remoteAccessPolicies } from "./rules/remote-access";
import { rbacPolicies } from "./rules/rbac";
import { resourcePolicyPolicies } from "./rules/resource-policies";
import { s3Policies } from "./rules/s3";
import { securityGroupPolicies } from "./rules/security-groups";
import { sqsPolicies } from "./rules/sqs";
import { tagPolicies } from "./rules/tags";

export const PACK_NAME = "ml-platform";

export const policies: Policy[] = [
  ...exemptionClaimPolicies,
  ...securityGroupPolicies,
  ...remoteAccessPolicies,
  ...s3Policies,
  ...resourcePolicyPolicies,
  ...cloudtrailPolicies,
  ...configPolicies,
  ...iamPolicies,
  ...ec2Policies,
  ...ecsPolicies,
  ...eksPolicies,
  ...databasePolicies,
  ...kubernetesPolicies,
  ...rbacPolicies,
  ...lambdaPolicies,
  ...sqsPolicies,
  ...tagPolicies,
  ...budgetPolicies,
];
