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
    const level =
      typeof value === "string" ? value : (value as { enforcementLevel?: unknown } | null)?.enforcementLevel;
    if (typeof value !== "string" && (typeof value !== "object" || value === null || Array.isArray(value))) {
      throw new Error(`policy config ${source}: "${key}" must be an enforcement level or an object`);
    }
    if (level !== undefined && (typeof level !== "string" || !LEVELS.includes(level))) {
      throw new Error(
        `policy config ${source}: "${key}" has enforcement level ${JSON.stringify(level)}; expected one of ${LEVELS.join(", ")}`,
      );
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

interface Schema {
  type?: string | string[];
  items?: Schema;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  properties?: Record<string, Schema>;
}

function typeOk(value: unknown, type: string): boolean {
  switch (type) {
    case "array":
      return Array.isArray(value);
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    case "integer":
      return Number.isInteger(value);
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "null":
      return value === null;
    default:
      return typeof value === type;
  }
}

/**
 * The subset of JSON Schema policy config schemas use (type, items, enum, minimum, maximum,
 * nested properties), so a typo such as `"allowedPorts": "443"` fails loudly, as Pulumi's own
 * config validation would, instead of silently changing what a policy enforces.
 */
export function schemaErrors(value: unknown, schema: Schema, at: string): string[] {
  const errors: string[] = [];
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.length > 0 && !types.some((t) => typeOk(value, t)))
    return [`${at} must be ${types.join(" or ")} (got ${JSON.stringify(value)})`];
  if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value)))
    errors.push(`${at} must be one of ${JSON.stringify(schema.enum)}`);
  if (typeof value === "number" && schema.minimum !== undefined && value < schema.minimum)
    errors.push(`${at} must be >= ${schema.minimum}`);
  if (typeof value === "number" && schema.maximum !== undefined && value > schema.maximum)
    errors.push(`${at} must be <= ${schema.maximum}`);
  if (Array.isArray(value) && schema.items)
    value.forEach((v, i) => errors.push(...schemaErrors(v, schema.items as Schema, `${at}[${i}]`)));
  if (typeOk(value, "object") && schema.properties) {
    for (const [k, sub] of Object.entries(schema.properties)) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) errors.push(...schemaErrors(v, sub, `${at}.${k}`));
    }
  }
  return errors;
}

/** Config entries naming no policy of the pack: almost always a typo that would silently do nothing. */
export function unknownPolicies(pack: LoadedPack, config: PackConfig): string[] {
  const names = new Set(pack.policies.map((p) => p.name));
  return Object.keys(config).filter((k) => k !== "all" && !names.has(k));
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
    user.level ??
    userAll.level ??
    initial.level ??
    initialAll.level ??
    policy.enforcementLevel ??
    pack.enforcementLevel ??
    "advisory";
  const properties = { ...defaults, ...initial.props, ...user.props };
  for (const key of policy.configSchema?.required ?? []) {
    if (properties[key] === undefined)
      throw new Error(`policy ${policy.name}: required config property "${key}" is not set`);
  }
  const errors = schemaErrors(
    properties,
    { type: "object", properties: policy.configSchema?.properties as Record<string, Schema> | undefined },
    policy.name,
  );
  if (errors.length > 0)
    throw new Error(`policy config does not match the schema of ${policy.name}: ${errors.join("; ")}`);
  return { enforcementLevel: level, properties };
}
