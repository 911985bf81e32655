/**
 * Policy configuration as `pulumi preview --policy-pack-config FILE` takes it: a JSON object keyed
 * by policy name, each value either an enforcement level or an object of config properties with an
 * optional `enforcementLevel`; the key `all` sets the level of every policy.
 */
import { readFileSync } from "node:fs";
import type { EnforcementLevel, Policy } from "@pulumi/policy";
import type { LoadedPack } from "./load-pack";

export type PackConfig = Record<string, EnforcementLevel | Record<string, unknown>>;

const LEVELS: readonly string[] = ["advisory", "mandatory", "remediate", "disabled"];

export interface ResolvedPolicyConfig {
  enforcementLevel: EnforcementLevel;
  properties: Record<string, unknown>;
}

export function parsePackConfig(data: unknown, source: string): PackConfig {
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new Error(`policy config ${source}: top level must be a JSON object keyed by policy name`);
  }
  for (const [key, value] of Object.entries(data)) {
    const level = typeof value === "string" ? value : (value as { enforcementLevel?: unknown } | null)?.enforcementLevel;
    if (typeof value !== "string" && (typeof value !== "object" || value === null || Array.isArray(value))) {
      throw new Error(`policy config ${source}: "${key}" must be an enforcement level or an object`);
    }
    if (level !== undefined && (typeof level !== "string" || !LEVELS.includes(level))) {
      throw new Error(`policy config ${source}: "${key}" has enforcement level ${JSON.stringify(level)}; expected one of ${LEVELS.join(", ")}`);
    }
  }
  return data as PackConfig;
}

export function readPackConfig(file: string): PackConfig {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`policy config ${file}: ${(err as Error).message}`);
  }
  return parsePackConfig(data, file);
}

function split(entry: unknown): { level?: EnforcementLevel; props: Record<string, unknown> } {
  if (typeof entry === "string") return { level: entry as EnforcementLevel, props: {} };
  if (typeof entry !== "object" || entry === null) return { props: {} };
  const { enforcementLevel, ...props } = entry as Record<string, unknown>;
  return { level: enforcementLevel as EnforcementLevel | undefined, props };
}

/**
 * Precedence, lowest first: schema defaults, the pack's initial config, the user's config file;
 * for the level: pack default, policy's own level, initial config, then the file (`all`, then the
 * policy's own entry).
 */
export function resolvePolicyConfig(pack: LoadedPack, policy: Policy, userConfig: PackConfig): ResolvedPolicyConfig {
  const defaults: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
    const def = (schema as { default?: unknown }).default;
    if (def !== undefined) defaults[key] = structuredClone(def);
  }
  const initialAll = split(pack.initialConfig.all);
  const initial = split(pack.initialConfig[policy.name]);
  const userAll = split(userConfig.all);
  const user = split(userConfig[policy.name]);
  const level =
    user.level ?? userAll.level ?? initial.level ?? initialAll.level ?? policy.enforcementLevel ?? pack.enforcementLevel ?? "advisory";
  const properties = { ...defaults, ...initial.props, ...user.props };
  for (const key of policy.configSchema?.required ?? []) {
    if (properties[key] === undefined) throw new Error(`policy ${policy.name}: required config property "${key}" is not set`);
  }
  return { enforcementLevel: level, properties };
}
