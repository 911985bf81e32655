/**
 * Which accounts a stack trusts: its own (the `allowedAccountIds` of its AWS providers) and the
 * `trustedAccounts` a policy's config adds. Policies that judge grants to other accounts
 * (resource policies, image sharing, role trust) read them here.
 */
import type { StackValidationArgs } from "@pulumi/policy";
import { asArray, known, parseJson, type Props } from "./util";

/** The config of a policy with a `trustedAccounts` list (its schema: `trustedAccountsSchema`). */
export interface TrustedAccountsConfig {
  trustedAccounts: string[];
}

/** The config schema of a policy's `trustedAccounts` list: account ids `description` says are trusted for what. */
export function trustedAccountsSchema(description: string) {
  return {
    properties: {
      trustedAccounts: { type: "array" as const, items: { type: "string" as const }, default: [], description },
    },
  };
}

/** Account ids a stack deploys into: every AWS provider's allowedAccountIds. */
export function ownAccounts(resources: { type: string; props: Record<string, unknown> }[]): Set<string> {
  const out = new Set<string>();
  for (const p of resources.filter((r) => r.type === "pulumi:providers:aws")) {
    const ids = parseJson(known(() => (p.props as Props).allowedAccountIds));
    for (const id of asArray<unknown>(ids)) if (typeof id === "string") out.add(id);
  }
  return out;
}

/** The stack's own accounts and the policy's `trustedAccounts`: every account that is not foreign to it. */
export function ownAndTrustedAccounts(args: StackValidationArgs): Set<string> {
  const accounts = ownAccounts(args.resources);
  args.getConfig<TrustedAccountsConfig>().trustedAccounts.forEach((a) => accounts.add(a));
  return accounts;
}
