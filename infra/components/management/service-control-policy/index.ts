/** Attaches the research service control policies to the research OU. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { researchScps, SCP_MAX_CHARS, type ResearchScpInput } from "./document";

export interface ResearchGuardrailPolicyArgs extends ResearchScpInput {
  /** The research OU. */
  targetId: pulumi.Input<string>;
}

export class ResearchGuardrailPolicy extends pulumi.ComponentResource {
  readonly policies: aws.organizations.Policy[] = [];

  constructor(name: string, args: ResearchGuardrailPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:management:ResearchGuardrailPolicy", name, {}, opts);
    for (const [part, document] of Object.entries(researchScps(args))) {
      const content = JSON.stringify(document);
      if (content.length > SCP_MAX_CHARS)
        throw new Error(
          `ml-platform:guardrails: the ${part} SCP has ${content.length} characters (AWS allows ${SCP_MAX_CHARS})`,
        );
      const policy = new aws.organizations.Policy(
        `${name}-${part}`,
        {
          type: "SERVICE_CONTROL_POLICY",
          description: `Research accounts (${part}): keep the audit trail, Config, budget, platform resources and boundary intact`,
          content,
        },
        // The audit part is the SCP this component had before the split: keep it, do not replace it.
        { parent: this, aliases: part === "audit" ? [{ name }] : [] },
      );
      new aws.organizations.PolicyAttachment(
        `${name}-${part}-research-ou`,
        { policyId: policy.id, targetId: args.targetId },
        { parent: this, aliases: part === "audit" ? [{ name: `${name}-research-ou` }] : [] },
      );
      this.policies.push(policy);
    }
    this.registerOutputs({ policyIds: this.policies.map((p) => p.id) });
  }
}
