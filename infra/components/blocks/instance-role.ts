/**
 * What an EC2 instance of the platform runs as: a service role (blocks/service-role) trusted by
 * `ec2.amazonaws.com` with named AWS managed policies only, and the instance profile that hands it
 * to the instance.
 *
 * A function, not a component: role and profile stay children of the calling component, where each
 * component built them itself before this block existed.
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { ServiceRole } from "./service-role";

export interface InstanceRoleArgs {
  /** Shown in the IAM console: what the instances are and do. */
  description: string;
  /**
   * AWS managed policies by ARN, keyed by the suffix their attachments were named with when the
   * components attached them themselves (`<name>-<suffix>`): the attachments keep those URNs.
   */
  managedPolicies: Record<string, string>;
  /** IAM path of role and profile; `/guardrails/` for instances the research SCP protects. Default: `/`. */
  path?: string;
}

/** Declares the role and its instance profile under `parent`, both named `name`. */
export function instanceRole(
  name: string,
  args: InstanceRoleArgs,
  parent: pulumi.Resource,
): { role: aws.iam.Role; profile: aws.iam.InstanceProfile } {
  const path = args.path === undefined ? {} : { path: args.path };
  const role = new ServiceRole(
    name,
    {
      description: args.description,
      services: ["ec2.amazonaws.com"],
      ...path,
      managedPolicyArns: Object.values(args.managedPolicies),
      movedFrom: {
        parent,
        names: Object.fromEntries(
          Object.entries(args.managedPolicies).map(([suffix, arn]) => [arn, `${name}-${suffix}`]),
        ),
      },
    },
    { parent },
  ).role;
  const profile = new aws.iam.InstanceProfile(name, { role: role.name, ...path }, { parent });
  return { role, profile };
}
