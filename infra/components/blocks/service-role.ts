/**
 * A role an AWS service assumes on the platform's behalf (EC2 instances and nodes, EKS, pods through
 * EKS Pod Identity, ECS tasks, Lambda functions, AWS Config): the trust names the services only,
 * each under `aws:SourceAccount` (and `aws:SourceArn` where the caller's ARN is known) unless it is
 * on the reviewed list of services that send no source context (infra/shared/service-trust); the
 * permissions are the role's own inline statements plus named AWS managed policies, so a reader
 * sees everything the role may do here.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { sendsNoSourceContext, serviceTrustPolicy, type SourceLocation } from "../../shared/service-trust";
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
   * service from assuming this role (the confused deputy). Default: the account the role is deployed
   * into (its provider's caller identity). Not applied to services that send no source context (EC2).
   */
  sourceAccount?: pulumi.Input<string>;
  /**
   * The ARN of the one resource the service acts for (`aws:SourceArn`), such as the EKS cluster
   * whose control plane assumes the role, built from where the role is deployed. Default: the
   * account-scoped pattern AWS documents for the service (ECS), else none (`aws:SourceAccount` only).
   * Only with a single service that takes source conditions.
   */
  sourceArn?: (where: SourceLocation) => string;
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
    if (args.sourceArn !== undefined && args.services.filter((s) => !sendsNoSourceContext(s)).length !== 1)
      throw new Error(`ServiceRole ${name}: sourceArn needs exactly one service that takes source conditions`);
    const child = (part: string) => childOptions(this, args.movedFrom, part);
    const actions = ["sts:AssumeRole", ...(args.extraTrustActions ?? [])];
    const invoke = { parent: this };
    const where: pulumi.Output<SourceLocation> = pulumi
      .all([
        args.sourceAccount ?? aws.getCallerIdentityOutput({}, invoke).accountId,
        aws.getRegionOutput({}, invoke).region,
        aws.getPartitionOutput({}, invoke).partition,
      ])
      .apply(([account, region, partition]) => ({ account, region, partition }));
    const trust = where.apply((w) => serviceTrustPolicy(args.services, actions, w, args.sourceArn?.(w)));
    this.role = new aws.iam.Role(
      name,
      {
        description: args.description,
        ...(args.path === undefined ? {} : { path: args.path }),
        ...(args.tags === undefined ? {} : { tags: args.tags }),
        assumeRolePolicy: pulumi.jsonStringify(trust),
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
