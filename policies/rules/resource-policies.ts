/**
 * Resource policies (KMS keys, SNS topics, SQS queues, Secrets Manager secrets, S3 buckets, ECR
 * repositories, Lambda permissions): an Allow to anyone (`*`) or to another account's principals
 * holds only under an organization (`aws:PrincipalOrgID`/`aws:PrincipalOrgPaths`) or source
 * (`aws:SourceAccount`/`aws:SourceArn`/`aws:SourceOrgID`) condition. The stack's own accounts are
 * the `allowedAccountIds` of its AWS providers; `trustedAccounts` adds more. Service principals
 * are AWS services acting for this account and are not judged here.
 */
import type { StackValidationPolicy } from "@pulumi/policy";
import { exemptionFor } from "../exemptions";
import { ownAndTrustedAccounts, trustedAccountsSchema } from "./accounts";
import { accountOf, hasOrgOrSourceCondition, principalsOf } from "./iam-semantics";
import { byType, isRecord, perResource, statements, str, type Props } from "./util";

/** Resource types and the input holding their resource policy. */
export const RESOURCE_POLICY_INPUTS: Record<string, string> = {
  "aws:kms/key:Key": "policy",
  "aws:kms/keyPolicy:KeyPolicy": "policy",
  "aws:sns/topic:Topic": "policy",
  "aws:sns/topicPolicy:TopicPolicy": "policy",
  "aws:sqs/queue:Queue": "policy",
  "aws:sqs/queuePolicy:QueuePolicy": "policy",
  "aws:secretsmanager/secret:Secret": "policy",
  "aws:secretsmanager/secretPolicy:SecretPolicy": "policy",
  "aws:s3/bucket:Bucket": "policy",
  "aws:s3/bucketPolicy:BucketPolicy": "policy",
  "aws:ecr/repositoryPolicy:RepositoryPolicy": "policy",
  "aws:ecr/registryPolicy:RegistryPolicy": "policy",
};

const LAMBDA_PERMISSION = "aws:lambda/permission:Permission";

const POLICY = "resource-policy-no-public-principal";

export const resourcePolicyPolicies: StackValidationPolicy[] = [
  {
    name: POLICY,
    description:
      "Resource policies (KMS, SNS, SQS, Secrets Manager, S3, ECR, Lambda permissions) allow `*` or another account's principals only under an organization or source condition.",
    configSchema: trustedAccountsSchema(
      "Account ids, besides the stack's own (its providers' allowedAccountIds), that are not foreign.",
    ),
    validateStack: (args, report) => {
      const own = ownAndTrustedAccounts(args);
      const foreign = (principal: string) => {
        const account = accountOf(principal);
        return account === undefined ? !/^arn:aws[a-z-]*:iam::aws:/.test(principal) : !own.has(account);
      };
      for (const r of byType(args.resources, ...Object.keys(RESOURCE_POLICY_INPUTS))) {
        if (exemptionFor(POLICY, r, args.resources)) continue;
        perResource(report, r.urn, () => {
          const doc = statements((r.props as Props)[RESOURCE_POLICY_INPUTS[r.type]]);
          for (const s of doc ?? []) {
            if (s.Effect !== "Allow" || hasOrgOrSourceCondition(s.Condition)) continue;
            const p = principalsOf(s);
            const sid =
              isRecord(s) && typeof (s as { Sid?: unknown }).Sid === "string" ? ` ${(s as { Sid: string }).Sid}` : "";
            if (p.anyone)
              report(`statement${sid} allows any principal (*) without an organization or source condition`, r.urn);
            const outsiders = p.aws.filter(foreign);
            if (outsiders.length > 0)
              report(
                `statement${sid} allows foreign account principal(s) ${outsiders.join(", ")} without an organization or source condition`,
                r.urn,
              );
          }
        });
      }
      for (const r of byType(args.resources, LAMBDA_PERMISSION)) {
        perResource(report, r.urn, () => {
          const props = r.props as Props;
          // A permission that opens a function URL is judged by lambda-function-url-auth.
          if (props.functionUrlAuthType === "NONE" || props.invokedViaFunctionUrl === true) return;
          const principal = str(props.principal);
          if (!principal || principal.endsWith(".amazonaws.com")) return;
          if (str(props.principalOrgId) || str(props.sourceAccount) || str(props.sourceArn)) return;
          if (principal === "*")
            report("permission for any principal (*) without principalOrgId, sourceAccount or sourceArn", r.urn);
          else if (foreign(principal))
            report(
              `permission for foreign account ${principal} without principalOrgId, sourceAccount or sourceArn`,
              r.urn,
            );
        });
      }
    },
  },
];
