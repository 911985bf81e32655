/** Attaches the research service control policy to the research OU. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { researchScp, type ResearchScpInput } from "./document";

export interface ResearchGuardrailPolicyArgs extends ResearchScpInput {
  targetId: pulumi.Input<string>;
}

export class ResearchGuardrailPolicy extends pulumi.ComponentResource {
  readonly policy: aws.organizations.Policy;

  constructor(name: string, args: ResearchGuardrailPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:management:ResearchGuardrailPolicy", name, {}, opts);
    this.policy = new aws.organizations.Policy(
      name,
      {
        type: "SERVICE_CONTROL_POLICY",
        description: "Research accounts: keep the audit trail, Config, guardrail roles and budget intact",
        content: JSON.stringify(researchScp(args)),
      },
      { parent: this },
    );
    new aws.organizations.PolicyAttachment(
      `${name}-research-ou`,
      { policyId: this.policy.id, targetId: args.targetId },
      { parent: this },
    );
    this.registerOutputs({ policyId: this.policy.id });
  }
}
