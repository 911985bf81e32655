/**
 * Explicit AWS providers for stacks that act in more than one account: every resource says
 * which account it lands in, tags come from one place, and a provider refuses to act in any
 * account but the one intended (allowedAccountIds), so a wrong credential cannot touch prod.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface AccountProviderArgs {
  region: string;
  /** The account this provider must act in; used for allowedAccountIds. */
  accountId: string;
  /** Role to assume in that account, e.g. the organization access role of a member account. */
  assumeRoleArn?: pulumi.Input<string>;
  /** Session name for CloudTrail: who did this. */
  sessionName?: string;
  tags: Record<string, string>;
}

export function accountProvider(name: string, args: AccountProviderArgs, opts?: pulumi.ResourceOptions): aws.Provider {
  return new aws.Provider(
    name,
    {
      region: args.region,
      allowedAccountIds: [args.accountId],
      assumeRoles: args.assumeRoleArn
        ? [{ roleArn: args.assumeRoleArn, sessionName: args.sessionName ?? `pulumi-${pulumi.getStack()}` }]
        : undefined,
      defaultTags: { tags: args.tags },
    },
    opts,
  );
}

/** The role AWS Organizations creates in every member account it creates. */
export function organizationAccessRoleArn(
  accountId: pulumi.Input<string>,
  roleName = "OrganizationAccountAccessRole",
): pulumi.Output<string> {
  return pulumi.interpolate`arn:aws:iam::${accountId}:role/${roleName}`;
}
