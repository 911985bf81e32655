/**
 * Production side of the research entry: named production groups and users may assume the
 * research admin role in each research account, and only with MFA.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { PLATFORM_NAMES } from "../../../../workloads/shared/conventions";

export const RESEARCH_ADMIN_ROLE_NAME = PLATFORM_NAMES.researchAdminRole;

export interface ResearchAccessArgs {
  researchAccountIds: pulumi.Input<Record<string, string>>;
  groups: string[];
  users: string[];
}

export function assumeResearchPolicy(accountIds: string[]): aws.iam.PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AssumeResearchAdminWithMfa",
        Effect: "Allow",
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Resource: accountIds.map((id) => `arn:aws:iam::${id}:role/${RESEARCH_ADMIN_ROLE_NAME}`),
        Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } },
      },
    ],
  };
}

export class ResearchAccess extends pulumi.ComponentResource {
  readonly policy: aws.iam.Policy;

  constructor(name: string, args: ResearchAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:management:ResearchAccess", name, {}, opts);
    this.policy = new aws.iam.Policy(
      name,
      {
        description: "Assume the research admin role in research accounts (MFA required)",
        policy: pulumi
          .output(args.researchAccountIds)
          .apply((ids) => JSON.stringify(assumeResearchPolicy(Object.values(ids).sort()))),
      },
      { parent: this },
    );
    for (const group of args.groups) {
      new aws.iam.GroupPolicyAttachment(
        `${name}-group-${group}`,
        { group, policyArn: this.policy.arn },
        { parent: this },
      );
    }
    for (const user of args.users) {
      new aws.iam.UserPolicyAttachment(`${name}-user-${user}`, { user, policyArn: this.policy.arn }, { parent: this });
    }
    this.registerOutputs({ policyArn: this.policy.arn });
  }
}
