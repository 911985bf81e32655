/**
 * IAM: no administrator-equivalent grants, cross-account trust only with MFA or an external id,
 * no IAM users with inline policies.
 *
 * The ONE deliberate exception: roles on the `exemptRoles` list (default: the research account's
 * `research-admin` role, matched on its logical Pulumi name) may hold `*` on `*` or
 * AdministratorAccess; every other role, user and group may not.
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import {
  asArray,
  byType,
  isRecord,
  known,
  lastSegment,
  perResource,
  statements,
  str,
  type Props,
  type Statement,
} from "./util";

export const ADMIN_POLICY_ARN = "arn:aws:iam::aws:policy/AdministratorAccess";

export interface AdminConfig {
  exemptRoles: string[];
}
export interface TrustConfig {
  trustedAccounts: string[];
}

const ROLE = "aws:iam/role:Role";
/** Attachments and inline policies that name a role by its `role` input. */
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const ROLE_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const OTHER_DOCS = ["aws:iam/policy:Policy", "aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy"];
const OTHER_ATTACHMENTS = [
  "aws:iam/userPolicyAttachment:UserPolicyAttachment",
  "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
  "aws:iam/policyAttachment:PolicyAttachment",
];

const matches = (pattern: unknown, value: string) => asArray<unknown>(pattern).some((p) => p === value);

/** Allow of every action on every resource. */
export function grantsEverything(s: Statement): boolean {
  return s.Effect === "Allow" && (matches(s.Action, "*") || matches(s.Action, "*:*")) && matches(s.Resource, "*");
}

function docGrantsEverything(doc: unknown): boolean {
  return (statements(doc) ?? []).some(grantsEverything);
}

/** Names a role is known by: logical name, `name` input, and the role's ARN tail. */
function roleNames(role: PolicyResource): Set<string> {
  return new Set([role.name, known(() => str((role.props as Props).name))].filter((x): x is string => !!x));
}

/** The role an attachment or role policy targets: by its `role` input, else by its dependency on a role. */
function targetRole(r: PolicyResource, roles: PolicyResource[]): { role?: PolicyResource; ref?: string } {
  const ref = known(() => str((r.props as Props).role));
  const name = ref ? lastSegment(ref) : undefined;
  const role =
    (name ? roles.find((x) => roleNames(x).has(name)) : undefined) ?? r.dependencies.find((d) => d.type === ROLE);
  return { role, ref: name };
}

function exempt(target: { role?: PolicyResource; ref?: string }, exemptRoles: string[]): boolean {
  if (target.role) return exemptRoles.includes(target.role.name);
  return target.ref !== undefined && exemptRoles.includes(target.ref);
}

/** AWS-account principals (account ids, ARNs, "*"); service and federated principals are not accounts. */
function accountPrincipals(principal: unknown): string[] {
  if (principal === "*") return ["*"];
  if (!isRecord(principal)) return [];
  return asArray<unknown>(principal.AWS).filter((p): p is string => typeof p === "string");
}

function accountOf(principal: string): string {
  const arn = /^arn:aws[a-z-]*:iam::(\d{12}):/.exec(principal);
  return arn ? arn[1] : principal;
}

/** Whether a statement's Condition requires MFA or an external id. */
function requiresMfaOrExternalId(condition: unknown): boolean {
  if (!isRecord(condition)) return false;
  return Object.values(condition).some((block) => {
    if (!isRecord(block)) return false;
    return Object.entries(block).some(([key, value]) => {
      const k = key.toLowerCase();
      if (k === "aws:multifactorauthpresent") return asArray(value).some((v) => v === true || v === "true");
      if (k === "sts:externalid") return asArray(value).some((v) => typeof v === "string" && v !== "");
      return false;
    });
  });
}

export const iamPolicies: StackValidationPolicy[] = [
  {
    name: "iam-no-admin-wildcard",
    description:
      "No IAM policy allows `*` actions on `*` resources and nothing attaches AdministratorAccess, except to roles on the exemption list (the research admin role).",
    enforcementLevel: "mandatory",
    configSchema: {
      properties: {
        exemptRoles: {
          type: "array",
          items: { type: "string" },
          default: ["research-admin"],
          description: "Logical Pulumi names of roles allowed administrator access: the one deliberate exception.",
        },
      },
    },
    validateStack: (args, report) => {
      const { exemptRoles } = args.getConfig<AdminConfig>();
      const roles = byType(args.resources, ROLE);
      for (const role of roles) {
        if (exemptRoles.includes(role.name)) continue;
        perResource(report, role.urn, () => {
          const props = role.props as Props;
          for (const inline of asArray<Props>(props.inlinePolicies)) {
            if (isRecord(inline) && docGrantsEverything(inline.policy))
              report(`inline policy ${String(inline.name ?? "")} allows * on *`, role.urn);
          }
          if (asArray(props.managedPolicyArns).includes(ADMIN_POLICY_ARN))
            report("managedPolicyArns includes AdministratorAccess", role.urn);
        });
      }
      for (const rp of byType(args.resources, ROLE_POLICY)) {
        perResource(report, rp.urn, () => {
          if (docGrantsEverything((rp.props as Props).policy) && !exempt(targetRole(rp, roles), exemptRoles))
            report("role policy allows * on *", rp.urn);
        });
      }
      for (const at of byType(args.resources, ROLE_ATTACHMENT)) {
        perResource(report, at.urn, () => {
          const target = targetRole(at, roles);
          if ((at.props as Props).policyArn === ADMIN_POLICY_ARN && !exempt(target, exemptRoles)) {
            report(`attaches AdministratorAccess to role ${target.role?.name ?? target.ref ?? "(unknown)"}`, at.urn);
          }
        });
      }
      for (const d of byType(args.resources, ...OTHER_DOCS)) {
        perResource(report, d.urn, () => {
          if (docGrantsEverything((d.props as Props).policy)) report("policy document allows * on *", d.urn);
        });
      }
      for (const at of byType(args.resources, ...OTHER_ATTACHMENTS)) {
        perResource(report, at.urn, () => {
          if ((at.props as Props).policyArn === ADMIN_POLICY_ARN)
            report("attaches AdministratorAccess outside the exempt roles", at.urn);
        });
      }
    },
  },
  {
    name: "iam-cross-account-trust-conditions",
    description:
      "Role trust policies that admit AWS account principals require MFA (aws:MultiFactorAuthPresent) or an external id (sts:ExternalId).",
    enforcementLevel: "mandatory",
    configSchema: {
      properties: {
        trustedAccounts: {
          type: "array",
          items: { type: "string" },
          default: [],
          description:
            "Account ids whose principals may assume roles without MFA or an external id (e.g. a CI account).",
        },
      },
    },
    validateStack: (args, report) => {
      const { trustedAccounts } = args.getConfig<TrustConfig>();
      for (const role of byType(args.resources, ROLE)) {
        perResource(report, role.urn, () => {
          const raw = (role.props as Props).assumeRolePolicy;
          const trust = statements(raw);
          if (trust === undefined) {
            if (raw !== undefined) report("assumeRolePolicy is not a readable policy document", role.urn);
            return;
          }
          for (const s of trust) {
            if (s.Effect !== "Allow") continue;
            const accounts = accountPrincipals(s.Principal).filter((p) => !trustedAccounts.includes(accountOf(p)));
            if (accounts.length > 0 && !requiresMfaOrExternalId(s.Condition)) {
              report(
                `trust policy admits ${accounts.join(", ")} without requiring aws:MultiFactorAuthPresent or sts:ExternalId`,
                role.urn,
              );
            }
          }
        });
      }
    },
  },
  {
    name: "iam-no-user-inline-policies",
    description: "IAM users have no inline policies (grant through groups or roles).",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
      for (const up of byType(args.resources, "aws:iam/userPolicy:UserPolicy")) {
        report(`inline policy on IAM user ${known(() => str((up.props as Props).user)) ?? "(unknown)"}`, up.urn);
      }
    },
  },
];
