/**
 * Lambda function URLs: no public, unauthenticated endpoint (`authorizationType: NONE`), nor a
 * Lambda permission that opens one (`functionUrlAuthType: NONE`, `invokedViaFunctionUrl`), unless
 * the exemption list's `slack-signed-webhook` entry covers the URL: its function claims the entry
 * and sits in the Slack bot component, which verifies Slack's signature on every request.
 */
import type { StackValidationPolicy } from "@pulumi/policy";
import { exemptionFor } from "../exemptions";
import { linkedTargets } from "./links";
import { byType, perResource, str, type Props } from "./util";

export const FUNCTION_URL_POLICY = "lambda-function-url-auth";
const FUNCTION = "aws:lambda/function:Function";
const FUNCTION_URL = "aws:lambda/functionUrl:FunctionUrl";

export const lambdaPolicies: StackValidationPolicy[] = [
  {
    name: FUNCTION_URL_POLICY,
    description:
      "Lambda function URLs use AWS_IAM auth (no authorizationType NONE, nor a permission opening the URL to everyone), unless the function is a reviewed signed-webhook receiver on the exemption list.",
    validateStack: (args, report) => {
      const all = args.resources;
      const functions = byType(all, FUNCTION);
      const urls = byType(all, FUNCTION_URL);
      const exemptUrl = (u: (typeof urls)[number]) => exemptionFor(FUNCTION_URL_POLICY, u, all) !== undefined;
      for (const u of urls) {
        perResource(report, u.urn, () => {
          if ((u.props as Props).authorizationType !== "NONE" || exemptUrl(u)) return;
          report("function URL with authorizationType NONE: anyone on the internet can invoke the function", u.urn);
        });
      }
      for (const p of byType(all, "aws:lambda/permission:Permission")) {
        perResource(report, p.urn, () => {
          const props = p.props as Props;
          const opensUrl = props.functionUrlAuthType === "NONE" || props.invokedViaFunctionUrl === true;
          if (!opensUrl || !["*", undefined].includes(str(props.principal))) return;
          // The permission goes with an exempt URL of the same function.
          const fns = linkedTargets(p, "function", functions);
          const covered =
            fns.length > 0 &&
            fns.every((f) => urls.some((u) => linkedTargets(u, "functionName", [f]).length > 0 && exemptUrl(u)));
          if (!covered) report("permission opens a function URL to everyone (auth type NONE)", p.urn);
        });
      }
    },
  },
];
