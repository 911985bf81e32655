/**
 * The research team's admin role in its own account.
 *
 * DELIBERATE EXCEPTION TO LEAST PRIVILEGE: researchers get broad admin on the services they use,
 * because the account is theirs to experiment in. What keeps it safe is around the role, not in
 * it: an explicit deny on the audit trail, Config, the audit bucket and key, the budget and this
 * role itself; the OU's service control policy; MFA and a bounded session to enter it. The policy
 * pack exempts this role, by its logical name `research-admin`, from "no * on *".
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  AUDIT_TAMPER_ACTIONS,
  BUDGET_TAMPER_ACTIONS,
  GUARDRAIL_ROLE_ACTIONS,
} from "../service-control-policy/document";
import { RESEARCH_ADMIN_ROLE_NAME } from "../research-access";

export interface ResearchAdminRoleArgs {
  /** The production account whose (MFA-authenticated) principals may assume the role. */
  productionAccountId: string;
  maxSessionHours: number;
  /** Service prefixes the team administers, e.g. ["ec2", "s3", "sagemaker"]. */
  services: string[];
  auditBucketArn: pulumi.Input<string>;
  auditKeyArn: pulumi.Input<string>;
}

export interface AdminPolicyInput {
  accountId: string;
  services: string[];
  auditBucketArn: string;
  auditKeyArn: string;
}

export function adminTrustPolicy(productionAccountId: string): aws.iam.PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${productionAccountId}:root` },
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Condition: {
          Bool: { "aws:MultiFactorAuthPresent": "true" },
          NumericLessThan: { "aws:MultiFactorAuthAge": "43200" },
        },
      },
    ],
  };
}

export function adminPolicy(p: AdminPolicyInput): aws.iam.PolicyDocument {
  const self = `arn:aws:iam::${p.accountId}:role/${RESEARCH_ADMIN_ROLE_NAME}`;
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "AdministerResearchServices", Effect: "Allow", Action: p.services.map((s) => `${s}:*`), Resource: "*" },
      { Sid: "NoAuditTampering", Effect: "Deny", Action: [...AUDIT_TAMPER_ACTIONS], Resource: "*" },
      {
        Sid: "NoAuditBucketWrites",
        Effect: "Deny",
        Action: ["s3:Put*", "s3:Delete*", "s3:Replicate*", "s3:Restore*", "s3:Bypass*"],
        Resource: [p.auditBucketArn, `${p.auditBucketArn}/*`],
      },
      { Sid: "NoAuditKeyUse", Effect: "Deny", Action: "kms:*", Resource: p.auditKeyArn },
      { Sid: "NoBudgetTampering", Effect: "Deny", Action: [...BUDGET_TAMPER_ACTIONS], Resource: "*" },
      {
        Sid: "NoChangesToSelfOrGuardrailRoles",
        Effect: "Deny",
        Action: [...GUARDRAIL_ROLE_ACTIONS],
        Resource: [self, `arn:aws:iam::${p.accountId}:role/guardrails/*`],
      },
    ],
  };
}

export class ResearchAdminRole extends pulumi.ComponentResource {
  readonly role: aws.iam.Role;

  constructor(name: string, args: ResearchAdminRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:research:ResearchAdminRole", name, {}, opts);
    // The logical name is fixed: the policy pack's exemption list names it.
    this.role = new aws.iam.Role(
      RESEARCH_ADMIN_ROLE_NAME,
      {
        name: RESEARCH_ADMIN_ROLE_NAME,
        description: "Research team admin (deliberate least-privilege exception; see code)",
        maxSessionDuration: args.maxSessionHours * 3600,
        assumeRolePolicy: JSON.stringify(adminTrustPolicy(args.productionAccountId)),
      },
      { parent: this },
    );
    const accountId = this.role.arn.apply((arn) => arn.split(":")[4]);
    new aws.iam.RolePolicy(
      `${name}-policy`,
      {
        role: this.role.name,
        policy: pulumi
          .all([accountId, args.auditBucketArn, args.auditKeyArn])
          .apply(([acct, bucket, key]) =>
            JSON.stringify(
              adminPolicy({ accountId: acct, services: args.services, auditBucketArn: bucket, auditKeyArn: key }),
            ),
          ),
      },
      { parent: this },
    );
    this.registerOutputs({ roleArn: this.role.arn });
  }
}
