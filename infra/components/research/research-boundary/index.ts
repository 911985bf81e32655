/**
 * The permissions boundary every role and user created in a research account must carry (the
 * research SCP refuses CreateRole / CreateUser without it, and refuses removing it). It lets a
 * created role use at most the research admin's own services, pass only research roles, and
 * never touch the guardrails: the same denies as the SCP, so a role the admin creates can do no
 * more against the platform than the admin can.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { GUARDRAIL_VALUE, PLATFORM_NAMES, TAG } from "../../../../workloads/shared/conventions";
import { guardrailDenies } from "../../../shared/guardrails";

export interface ResearchBoundaryArgs {
  /** The research account (the boundary names its own research roles). */
  accountId: string;
  /** Service prefixes the research admin administers; created roles may use at most these. */
  services: string[];
}

export function boundaryPolicy(p: { accountId: string; services: string[] }): aws.iam.PolicyDocument {
  const denies = guardrailDenies();
  const researchPath = PLATFORM_NAMES.researchPath.replace(/^\/|\/$/g, "");
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "AtMostTheResearchServices", Effect: "Allow", Action: p.services.map((s) => `${s}:*`), Resource: "*" },
      {
        // A role that starts SageMaker jobs or EC2 instances hands them a research role.
        Sid: "PassResearchRoles",
        Effect: "Allow",
        Action: "iam:PassRole",
        Resource: `arn:aws:iam::${p.accountId}:role/${researchPath}/*`,
      },
      { Sid: "StayInOrganization", Effect: "Deny", Action: "organizations:LeaveOrganization", Resource: "*" },
      ...denies.audit,
      ...denies.platform,
    ],
  };
}

export class ResearchBoundary extends pulumi.ComponentResource {
  readonly policy: aws.iam.Policy;

  constructor(name: string, args: ResearchBoundaryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:research:PermissionsBoundary", name, {}, opts);
    this.policy = new aws.iam.Policy(
      name,
      {
        // The SCP names the boundary by path and name in the caller's own account.
        name: PLATFORM_NAMES.boundaryPolicy,
        path: PLATFORM_NAMES.guardrailPath,
        description: "Research accounts: the boundary of every role and user the research side creates",
        policy: JSON.stringify(boundaryPolicy(args)),
        tags: { [TAG.guardrail]: GUARDRAIL_VALUE },
      },
      { parent: this },
    );
    this.registerOutputs({ policyArn: this.policy.arn });
  }
}
