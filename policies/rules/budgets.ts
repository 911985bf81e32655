/** Every account stack carries a budget, so no account can spend unseen. */
import type { StackValidationPolicy } from "@pulumi/policy";
import { byType } from "./util";

/** Resources that make a stack an "account stack": the per-account baseline or account creation. */
export const ACCOUNT_BASELINE_TYPES = [
  "aws:cloudtrail/trail:Trail",
  "aws:cfg/recorder:Recorder",
  "aws:organizations/account:Account",
];

export const budgetPolicies: StackValidationPolicy[] = [
  {
    name: "account-stack-has-budget",
    description:
      "A stack with an account baseline (CloudTrail trail, Config recorder or Organizations account) has at least one AWS Budget.",
    validateStack: (args, report) => {
      const baseline = byType(args.resources, ...ACCOUNT_BASELINE_TYPES);
      if (baseline.length === 0) return;
      if (byType(args.resources, "aws:budgets/budget:Budget").length > 0) return;
      report(
        `account stack (has ${baseline.map((r) => r.type.split(":").pop()).join(", ")}) has no aws:budgets/budget:Budget`,
        baseline[0].urn,
      );
    },
  },
];
