/**
 * Research and sandbox accounts as members of the organization (consolidated billing), each in
 * its own OU so the service control policy applies to the whole OU, not account by account.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface MemberAccountSpec {
  /** Short name, used as the account's key in stack outputs (e.g. "alpha"). */
  name: string;
  email: string;
}

export interface MemberAccountsArgs {
  /** The organization's root id, under which the OUs are created. */
  rootId: pulumi.Input<string>;
  research: MemberAccountSpec[];
  sandbox: MemberAccountSpec[];
  /** Role AWS Organizations creates in each new account, assumed by the account stacks. */
  accessRoleName: string;
}

export class MemberAccounts extends pulumi.ComponentResource {
  readonly researchOu: aws.organizations.OrganizationalUnit;
  readonly sandboxOu: aws.organizations.OrganizationalUnit;
  /** Account ids by name. */
  readonly researchAccountIds: pulumi.Output<Record<string, string>>;
  readonly sandboxAccountIds: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: MemberAccountsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:management:MemberAccounts", name, {}, opts);
    this.researchOu = new aws.organizations.OrganizationalUnit(
      `${name}-research`,
      { name: "research", parentId: args.rootId },
      { parent: this },
    );
    this.sandboxOu = new aws.organizations.OrganizationalUnit(
      `${name}-sandbox`,
      { name: "sandbox", parentId: args.rootId },
      { parent: this },
    );
    this.researchAccountIds = this.accounts(name, "research", args.research, this.researchOu, args.accessRoleName);
    this.sandboxAccountIds = this.accounts(name, "sandbox", args.sandbox, this.sandboxOu, args.accessRoleName);
    this.registerOutputs({ researchAccountIds: this.researchAccountIds, sandboxAccountIds: this.sandboxAccountIds });
  }

  private accounts(
    name: string,
    kind: string,
    specs: MemberAccountSpec[],
    ou: aws.organizations.OrganizationalUnit,
    roleName: string,
  ): pulumi.Output<Record<string, string>> {
    const ids = specs.map((spec) => {
      const account = new aws.organizations.Account(
        `${name}-${kind}-${spec.name}`,
        {
          name: `${kind}-${spec.name}`,
          email: spec.email,
          parentId: ou.id,
          roleName,
          iamUserAccessToBilling: "DENY",
          // Removing an account from config must never close it: closing is a 90-day, manual decision.
          closeOnDeletion: false,
        },
        // Role name and e-mail cannot change after creation; AWS would replace the account.
        { parent: this, protect: true, ignoreChanges: ["roleName", "iamUserAccessToBilling"] },
      );
      return account.id.apply((id) => [spec.name, id] as const);
    });
    return pulumi.all(ids).apply((pairs) => Object.fromEntries(pairs));
  }
}
