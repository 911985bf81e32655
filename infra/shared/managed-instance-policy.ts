/**
 * IAM statements for functions that act on the platform's managed instances (the idle check and
 * the Slack bot): the given EC2 actions and tag keys only on instances that already carry
 * `TAG.managed`, so the functions can touch nothing else in the account.
 */
import type * as aws from "@pulumi/aws";
import { MANAGED_VALUE, TAG } from "../../workloads/shared/conventions";

export interface ManagedInstanceGrant {
  region: string;
  accountId: string;
  /** Instance actions, e.g. ec2:StopInstances. */
  actions: string[];
  /** Tag keys the function may set or remove (empty: no tagging). */
  tagKeys: string[];
  /** Whether removing those tags is allowed too. */
  deleteTags: boolean;
}

export function managedInstanceStatements(g: ManagedInstanceGrant): aws.iam.PolicyStatement[] {
  const instances = `arn:aws:ec2:${g.region}:${g.accountId}:instance/*`;
  const managed = { [`aws:ResourceTag/${TAG.managed}`]: MANAGED_VALUE };
  const statements: aws.iam.PolicyStatement[] = [
    // Describe calls have no resource-level permissions.
    { Sid: "ReadInstances", Effect: "Allow", Action: ["ec2:DescribeInstances"], Resource: "*" },
    {
      Sid: "ActOnManaged",
      Effect: "Allow",
      Action: g.actions,
      Resource: instances,
      Condition: { StringEquals: managed },
    },
  ];
  if (g.tagKeys.length > 0) {
    statements.push({
      Sid: "TagManaged",
      Effect: "Allow",
      Action: g.deleteTags ? ["ec2:CreateTags", "ec2:DeleteTags"] : ["ec2:CreateTags"],
      Resource: instances,
      Condition: { StringEquals: managed, "ForAllValues:StringEquals": { "aws:TagKeys": g.tagKeys } },
    });
  }
  return statements;
}
