/**
 * A role an AWS service assumes on the platform's behalf (EC2 instances and nodes, EKS, pods through
 * EKS Pod Identity, ECS tasks, Lambda functions, AWS Config): the trust names the services only,
 * the permissions are the role's own inline statements plus named AWS managed policies, so a
 * reader sees everything the role may do here.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { childOptions, type MovedFrom } from "./moved-from";

/** One IAM statement with resources that may be outputs (ARNs of resources in the same stack). */
export interface RoleStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action: string | string[];
  Resource: pulumi.Input<string> | pulumi.Input<string>[];
  Condition?: Record<string, Record<string, pulumi.Input<string | string[]>>>;
}

export interface ServiceRoleArgs {
  /** Service principals that may assume the role, such as `ec2.amazonaws.com`. */
  services: string[];
  /** Trust actions besides `sts:AssumeRole`; EKS Pod Identity also needs `sts:TagSession`. */
  extraTrustActions?: string[];
  /**
   * The account the service acts for (`aws:SourceAccount`): stops another account's use of the same
   * service from assuming this role (the confused deputy). Unset for EC2, which sends no source account.
   */
  sourceAccount?: pulumi.Input<string>;
  /** AWS managed policies, by ARN, each attached by its own RolePolicyAttachment. Default: none. */
  managedPolicyArns?: string[];
  /** The role's own permissions, as one inline policy. Default: none. */
  statements?: RoleStatement[];
  /**
   * The role's own permissions as one whole policy document (JSON), for callers that build and
   * test the document themselves; instead of `statements`. Default: none.
   */
  policy?: pulumi.Input<string>;
  /** Shown in the IAM console: what the role is for. */
  description: string;
  /** IAM path; `/guardrails/` (PLATFORM_NAMES.guardrailPath) for roles the research SCP protects. Default: `/`. */
  path?: string;
  /** Tags on the role (the guardrail tag, say). Default: none. */
  tags?: Record<string, string>;
  /**
   * Where the role was before this block built it (aliases to the old URNs). Parts: "role", "policy"
   * (the inline policy) and, for each attachment, its managed policy's ARN. Default: a new role.
   */
  movedFrom?: MovedFrom<string>;
}

export class ServiceRole extends pulumi.ComponentResource {
  readonly role: aws.iam.Role;

  constructor(name: string, args: ServiceRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:blocks:ServiceRole", name, {}, opts);
    if (args.services.length === 0) throw new Error(`ServiceRole ${name}: services must name at least one principal`);
    if (args.policy !== undefined && args.statements !== undefined)
      throw new Error(`ServiceRole ${name}: give statements or policy, not both`);
    const child = (part: string) => childOptions(this, args.movedFrom, part);
    this.role = new aws.iam.Role(
      name,
      {
        description: args.description,
        ...(args.path === undefined ? {} : { path: args.path }),
        ...(args.tags === undefined ? {} : { tags: args.tags }),
        assumeRolePolicy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: args.services },
              Action: ["sts:AssumeRole", ...(args.extraTrustActions ?? [])],
              ...(args.sourceAccount === undefined
                ? {}
                : { Condition: { StringEquals: { "aws:SourceAccount": args.sourceAccount } } }),
            },
          ],
        }),
      },
      child("role"),
    );
    (args.managedPolicyArns ?? []).forEach((policyArn) => {
      const short = policyArn.split("/").pop() as string;
      new aws.iam.RolePolicyAttachment(`${name}-${short}`, { role: this.role.name, policyArn }, child(policyArn));
    });
    const policy =
      args.statements && args.statements.length > 0
        ? pulumi.jsonStringify({ Version: "2012-10-17", Statement: args.statements })
        : args.policy;
    if (policy !== undefined) new aws.iam.RolePolicy(name, { role: this.role.name, policy }, child("policy"));
    this.registerOutputs({ roleArn: this.role.arn });
  }
}
