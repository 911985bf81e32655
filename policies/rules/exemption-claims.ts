/**
 * Claims on the exemption list (`policies/exemptions.ts`) must hold: a resource tagged or
 * annotated with an entry id that the entry does not match is a violation in itself, so a pasted
 * tag is caught loudly instead of silently exempting nothing (or, worse, something).
 */
import type { StackValidationPolicy } from "@pulumi/policy";
import { claimProblem } from "../exemptions";
import { perResource } from "./util";

export const exemptionClaimPolicies: StackValidationPolicy[] = [
  {
    name: "policy-exemption-claims",
    description:
      "Every resource that claims a policy exemption (tag ml-platform:policy-exemption or annotation ml-platform.io/policy-exemption) matches the reviewed entry it names.",
    validateStack: (args, report) => {
      for (const r of args.resources) {
        perResource(report, r.urn, () => {
          const problem = claimProblem(r, args.resources);
          if (problem) report(problem, r.urn);
        });
      }
    },
  },
];
