/**
 * IAM, judged by what documents mean (`iam-semantics.ts`), not by how they are spelt:
 * - no identity policy is administrator-equivalent or an escalation path, except where the
 *   exemption list (`../exemptions.ts`, entry `research-admin`) says so for one role;
 * - every action named in any policy document exists;
 * - trust policies admit principals only under the conditions that make that safe, and service
 *   principals only under a source condition (the confused-deputy guard), except the reviewed
 *   services that send no source context (infra/shared/service-trust);
 * - IAM users carry no inline policies and no long-lived credentials.
 */
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { SERVICES_WITHOUT_SOURCE_CONTEXT, sendsNoSourceContext } from "../../infra/shared/service-trust";
import { exemptionFor } from "../exemptions";
import { trustedAccountsSchema, type TrustedAccountsConfig } from "./accounts";
import {
  accountOf,
  ADMIN_MANAGED_POLICIES,
  documentAdminProblems,
  hasExternalId,
  hasOrgOrSourceCondition,
  principalsOf,
  requiresMfa,
  restricts,
  SOURCE_KEYS,
  unknownActions,
} from "./iam-semantics";
import { linkedTargets } from "./links";
import {
  asArray,
  byType,
  forTypes,
  isRecord,
  known,
  perResourceAsync,
  statements,
  str,
  type Props,
  type Statement,
} from "./util";

export const ADMIN_POLICY = "iam-no-effective-admin";

const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const ROLE_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const MANAGED_POLICY = "aws:iam/policy:Policy";
const OTHER_DOCS = ["aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy"];
const OTHER_ATTACHMENTS = [
  "aws:iam/userPolicyAttachment:UserPolicyAttachment",
  "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
  "aws:iam/policyAttachment:PolicyAttachment",
];
const ROLE_NAMES = { name: "name", prefix: "namePrefix" };

/**
 * Long-lived credentials an IAM user can hold, by type, with the input naming the user: access keys
 * (API), login profiles (console password), service-specific credentials (CodeCommit, Keyspaces,
 * Bedrock), X.509 signing certificates and SSH public keys (CodeCommit). Humans federate and
 * workloads assume roles, so none of them has a place here.
 */
export const USER_CREDENTIALS: Record<string, { what: string; user: string }> = {
  "aws:iam/accessKey:AccessKey": { what: "access key", user: "user" },
  "aws:iam/userLoginProfile:UserLoginProfile": { what: "console password (login profile)", user: "user" },
  "aws:iam/serviceSpecificCredential:ServiceSpecificCredential": {
    what: "service-specific credential",
    user: "userName",
  },
  "aws:iam/signingCertificate:SigningCertificate": { what: "signing certificate", user: "userName" },
  "aws:iam/sshKey:SshKey": { what: "SSH public key", user: "username" },
};

/**
 * Policy documents by resource type: the inputs that hold one (JSON string or object), for the
 * known-actions check. Trust and resource policies count: a misspelt Deny is a silent hole.
 */
export const DOCUMENT_INPUTS: Record<string, string[]> = {
  [ROLE]: ["assumeRolePolicy"],
  [ROLE_POLICY]: ["policy"],
  [MANAGED_POLICY]: ["policy"],
  "aws:iam/userPolicy:UserPolicy": ["policy"],
  "aws:iam/groupPolicy:GroupPolicy": ["policy"],
  "aws:kms/key:Key": ["policy"],
  "aws:kms/keyPolicy:KeyPolicy": ["policy"],
  "aws:sns/topic:Topic": ["policy"],
  "aws:sns/topicPolicy:TopicPolicy": ["policy"],
  "aws:sqs/queue:Queue": ["policy"],
  "aws:sqs/queuePolicy:QueuePolicy": ["policy"],
  "aws:s3/bucketPolicy:BucketPolicy": ["policy"],
  "aws:s3/bucket:Bucket": ["policy"],
  "aws:secretsmanager/secret:Secret": ["policy"],
  "aws:secretsmanager/secretPolicy:SecretPolicy": ["policy"],
  "aws:ecr/repositoryPolicy:RepositoryPolicy": ["policy"],
  "aws:ecr/registryPolicy:RegistryPolicy": ["policy"],
  "aws:ec2/vpcEndpoint:VpcEndpoint": ["policy"],
  "aws:organizations/policy:Policy": ["content"],
};

/** The documents of a resource: its document inputs plus a role's inline policies. */
function documentsOf(type: string, props: Props): { where: string; doc: Statement[] }[] {
  const out: { where: string; doc: Statement[] }[] = [];
  for (const input of DOCUMENT_INPUTS[type] ?? []) {
    const doc = statements(props[input]);
    if (doc) out.push({ where: input, doc });
  }
  if (type === ROLE) {
    asArray<unknown>(props.inlinePolicies).forEach((p, i) => {
      const doc = isRecord(p) ? statements(p.policy) : undefined;
      if (doc) out.push({ where: `inline policy ${String((p as Props).name ?? i)}`, doc });
    });
  }
  return out;
}

const policyArnOf = (r: PolicyResource) => known(() => str((r.props as Props).policyArn));

export const iamPolicies: (ResourceValidationPolicy | StackValidationPolicy)[] = [
  {
    name: ADMIN_POLICY,
    description:
      "No identity policy is administrator-equivalent (Allow * on *, Allow with NotAction, AdministratorAccess / IAMFullAccess) or grants a privilege-escalation action or iam:PassRole on every role, judged on actions expanded against AWS's action list; the exemption list's research-admin entry is the one exception.",
    validateStack: async (args, report) => {
      const all = args.resources;
      const roles = byType(all, ROLE);
      const exempt = (role: PolicyResource) => exemptionFor(ADMIN_POLICY, role, all) !== undefined;
      const allExempt = (targets: PolicyResource[]) => targets.length > 0 && targets.every(exempt);
      const check = async (r: PolicyResource, what: string, doc: unknown) => {
        const parsed = statements(doc);
        if (!parsed) return;
        for (const p of await documentAdminProblems(parsed)) report(`${what}: ${p}`, r.urn);
      };
      const run = (r: PolicyResource, fn: () => Promise<void> | void) => perResourceAsync(report, r.urn, fn);

      for (const role of roles) {
        if (exempt(role)) continue;
        await run(role, async () => {
          const props = role.props as Props;
          for (const inline of asArray<unknown>(props.inlinePolicies)) {
            if (isRecord(inline)) await check(role, `inline policy ${String(inline.name ?? "")}`, inline.policy);
          }
          for (const arn of asArray<unknown>(props.managedPolicyArns)) {
            if (typeof arn === "string" && ADMIN_MANAGED_POLICIES.includes(arn))
              report(`managedPolicyArns includes ${arn.split("/").pop()}`, role.urn);
          }
        });
      }
      for (const rp of byType(all, ROLE_POLICY)) {
        await run(rp, async () => {
          if (allExempt(linkedTargets(rp, "role", roles, ROLE_NAMES))) return;
          await check(rp, "role policy", (rp.props as Props).policy);
        });
      }
      // A customer managed policy is judged where it is attached: only-to-exempt-roles is exempt.
      const attachments = byType(all, ROLE_ATTACHMENT, ...OTHER_ATTACHMENTS);
      for (const mp of byType(all, MANAGED_POLICY)) {
        await run(mp, async () => {
          const attached = attachments.filter((a) => linkedTargets(a, "policyArn", [mp]).length > 0);
          const onlyExempt =
            attached.length > 0 &&
            attached.every((a) => a.type === ROLE_ATTACHMENT && allExempt(linkedTargets(a, "role", roles, ROLE_NAMES)));
          if (!onlyExempt) await check(mp, "policy document", (mp.props as Props).policy);
        });
      }
      for (const at of byType(all, ROLE_ATTACHMENT)) {
        await run(at, () => {
          const arn = policyArnOf(at);
          if (!arn || !ADMIN_MANAGED_POLICIES.includes(arn)) return;
          const targets = linkedTargets(at, "role", roles, ROLE_NAMES);
          if (!allExempt(targets)) {
            const who =
              targets.map((t) => t.name).join(", ") || known(() => str((at.props as Props).role)) || "(unknown)";
            report(`attaches ${arn.split("/").pop()} to role ${who}`, at.urn);
          }
        });
      }
      for (const d of byType(all, ...OTHER_DOCS))
        await run(d, () => check(d, "policy document", (d.props as Props).policy));
      for (const at of byType(all, ...OTHER_ATTACHMENTS)) {
        await run(at, () => {
          const arn = policyArnOf(at);
          if (arn && ADMIN_MANAGED_POLICIES.includes(arn)) report(`attaches ${arn.split("/").pop()}`, at.urn);
        });
      }
    },
  },
  {
    name: "iam-actions-known",
    description:
      "Every Action / NotAction in every policy document (identity, trust, resource policies, SCPs) names at least one real AWS action: a misspelt action grants or denies nothing.",
    validateResource: forTypes(
      [...Object.keys(DOCUMENT_INPUTS), "aws:lambda/permission:Permission"],
      async (props, args, report) => {
        if (args.type === "aws:lambda/permission:Permission") {
          const action = str(props.action);
          if (action && (await unknownActions([{ Action: action }])).length > 0)
            report(`action ${action} is not a known AWS action`);
          return;
        }
        for (const { where, doc } of documentsOf(args.type, props)) {
          const unknown = await unknownActions(doc);
          if (unknown.length > 0) report(`${where}: unknown or misspelt action(s) ${unknown.join(", ")}`);
        }
      },
    ),
  },
  {
    name: "iam-trust-policy-conditions",
    description:
      "Role trust policies admit principals only safely: AWS-account principals under MFA (Bool aws:MultiFactorAuthPresent true) or sts:ExternalId; Principal * only with an organization or source condition; OIDC federation only with its sub and aud conditions; SAML only with SAML:aud.",
    configSchema: trustedAccountsSchema(
      "Account ids whose principals may assume roles without MFA or an external id (e.g. a CI account).",
    ),
    validateResource: forTypes([ROLE], (props, args, report) => {
      const { trustedAccounts } = args.getConfig<TrustedAccountsConfig>();
      const raw = props.assumeRolePolicy;
      const trust = statements(raw);
      if (trust === undefined) {
        if (raw !== undefined) report("assumeRolePolicy is not a readable policy document");
        return;
      }
      for (const s of trust) {
        if (s.Effect !== "Allow") continue;
        for (const problem of trustProblems(s, trustedAccounts)) report(`trust policy ${problem}`);
      }
    }),
  },
  {
    name: "iam-service-trust-source-condition",
    description:
      "Role trust policies admit AWS service principals only under aws:SourceAccount, aws:SourceArn, aws:SourceOrgID or aws:SourceOrgPaths (the cross-service confused-deputy guard), except the reviewed services that send no source context.",
    validateResource: forTypes([ROLE], (props, _args, report) => {
      for (const s of statements(props.assumeRolePolicy) ?? []) {
        if (s.Effect !== "Allow") continue;
        const bare = principalsOf(s).service.filter((svc) => !sendsNoSourceContext(svc));
        if (bare.length > 0 && !restricts(withoutIfExists(s.Condition), SOURCE_KEYS))
          report(
            `trust policy admits service principal(s) ${bare.join(", ")} without an aws:SourceAccount or aws:SourceArn ` +
              `condition (only ${Object.keys(SERVICES_WITHOUT_SOURCE_CONTEXT).join(", ")} may go without)`,
          );
      }
    }),
  },
  {
    name: "iam-no-user-long-lived-credentials",
    description:
      "IAM users hold no long-lived credentials: no access keys, login profiles, service-specific credentials, signing certificates or SSH keys (people federate, workloads assume roles).",
    validateResource: forTypes(Object.keys(USER_CREDENTIALS), (props, args, report) => {
      const { what, user } = USER_CREDENTIALS[args.type];
      report(`${what} for IAM user ${known(() => str(props[user])) ?? "(unknown)"}: a long-lived credential`);
    }),
  },
  {
    name: "iam-no-user-inline-policies",
    description: "IAM users have no inline policies (grant through groups or roles).",
    validateStack: (args, report) => {
      for (const up of byType(args.resources, "aws:iam/userPolicy:UserPolicy")) {
        report(`inline policy on IAM user ${known(() => str((up.props as Props).user)) ?? "(unknown)"}`, up.urn);
      }
    },
  },
];

/** A condition without its `…IfExists` tests: those admit a request that carries no source at all. */
function withoutIfExists(condition: unknown): unknown {
  return isRecord(condition)
    ? Object.fromEntries(Object.entries(condition).filter(([op]) => !/IfExists$/i.test(op)))
    : condition;
}

/** The OIDC provider host a federated principal names: `arn:…:oidc-provider/HOST` or a bare host. */
function oidcHost(federated: string): string | undefined {
  const arn = /:oidc-provider\/(.+)$/.exec(federated);
  if (arn) return arn[1].toLowerCase();
  if (federated.startsWith("arn:")) return undefined;
  return federated.toLowerCase();
}

/** What is unsafe in one Allow statement of a trust policy. */
export function trustProblems(s: Statement, trustedAccounts: string[] = []): string[] {
  const out: string[] = [];
  const p = principalsOf(s);
  if (p.anyone && !hasOrgOrSourceCondition(s.Condition))
    out.push("admits any principal (*) without an aws:PrincipalOrgID, aws:SourceAccount or aws:SourceArn condition");
  const accounts = p.aws.filter((a) => !trustedAccounts.includes(accountOf(a) ?? a));
  if (accounts.length > 0 && !requiresMfa(s.Condition) && !hasExternalId(s.Condition))
    out.push(
      `admits ${accounts.join(", ")} without requiring MFA (Bool aws:MultiFactorAuthPresent true) or sts:ExternalId`,
    );
  for (const f of p.federated) {
    if (/:saml-provider\//.test(f)) {
      if (!restricts(s.Condition, ["saml:aud"])) out.push(`admits SAML provider ${f} without a SAML:aud condition`);
      continue;
    }
    const host = oidcHost(f);
    if (!host) continue;
    const needed = host === "cognito-identity.amazonaws.com" ? ["aud", "amr"] : ["sub", "aud"];
    const missing = needed.filter((k) => !restricts(s.Condition, [`${host}:${k}`]));
    if (missing.length > 0)
      out.push(`admits OIDC provider ${host} without ${missing.map((k) => `${host}:${k}`).join(" and ")} condition(s)`);
  }
  return out;
}
