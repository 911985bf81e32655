/**
 * The one way stacks read their configuration: every key of a stack's schema is read from Pulumi
 * config, parsed (structured values arrive as JSON strings) and validated together, so a stack
 * either starts with a fully typed config or stops before creating anything, naming every bad key.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";

export const PROJECT = "ml-platform";

export class ConfigError extends Error {
  constructor(
    readonly stack: string,
    readonly problems: string[],
  ) {
    super(`invalid configuration for stack "${stack}":\n  ${problems.join("\n  ")}`);
    this.name = "ConfigError";
  }
}

/**
 * A Pulumi config value always arrives as a string: maps and lists JSON-encoded, scalars as their
 * text, so "222222222222" and 222222222222 look the same. Maps and lists are decoded; a scalar
 * stays a string unless the key's schema rejects the string and accepts the decoded value.
 */
function decode(raw: string, field: z.ZodType): unknown {
  const trimmed = raw.trim();
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return raw;
  }
  if (typeof parsed === "object" && parsed !== null) return parsed;
  return field.safeParse(raw).success || !field.safeParse(parsed).success ? raw : parsed;
}

function describe(issue: z.core.$ZodIssue, namespace: string): string {
  const key = issue.path.length === 0 ? "(root)" : issue.path.map(String).join(".");
  return `${namespace}:${key}: ${issue.message}`;
}

/**
 * Reads every top-level key of `schema` from the `namespace` config and validates the whole.
 * Unknown keys in the namespace are rejected too: a misspelt key is as wrong as a missing one.
 */
export function loadConfig<S extends z.ZodObject>(schema: S, namespace: string = PROJECT): z.output<S> {
  const cfg = new pulumi.Config(namespace);
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = cfg.get(key);
    if (value !== undefined) raw[key] = decode(value, schema.shape[key] as z.ZodType);
  }
  const problems: string[] = [];
  for (const key of configuredKeys(namespace)) {
    if (!(key in schema.shape))
      problems.push(`${namespace}:${key}: unknown key (expected one of: ${Object.keys(schema.shape).join(", ")})`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) problems.push(...parsed.error.issues.map((i) => describe(i, namespace)));
  if (problems.length > 0) throw new ConfigError(pulumi.getStack(), problems);
  return (parsed as { data: z.output<S> }).data;
}

function configuredKeys(namespace: string): string[] {
  const all = pulumi.runtime.allConfig();
  return Object.keys(all)
    .filter((k) => k.startsWith(`${namespace}:`))
    .map((k) => k.slice(namespace.length + 1));
}
