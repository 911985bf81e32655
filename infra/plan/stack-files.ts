/** The stacks of the project: one `Pulumi.<stack>.yaml` each at the repository root. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { LAYERS, type Layer } from "../stacks/layers";
import { REPO_ROOT } from "../../workloads/shared/repo-root";

// The plan's CLI and tests take the root with the stack readers.

export function stackFile(stack: string, root = REPO_ROOT): string {
  return path.join(root, `Pulumi.${stack}.yaml`);
}

export function listStacks(root = REPO_ROOT): string[] {
  return readdirSync(root)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

/** The `config:` map of a stack file, values as YAML gave them (objects stay objects). */
export function readStackConfig(stack: string, root = REPO_ROOT): Record<string, unknown> {
  const file = stackFile(stack, root);
  if (!existsSync(file)) throw new Error(`stack "${stack}": no stack file ${path.relative(root, file)}`);
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`stack "${stack}": ${path.basename(file)} is not valid YAML: ${(err as Error).message}`);
  }
  const config = (doc as { config?: unknown } | null)?.config;
  if (config === undefined || config === null) return {};
  if (typeof config !== "object" || Array.isArray(config)) {
    throw new Error(`stack "${stack}": ${path.basename(file)}: "config" must be a map of keys to values`);
  }
  return config as Record<string, unknown>;
}

export function layerOf(config: Record<string, unknown>): Layer | undefined {
  const layer = config["ml-platform:layer"];
  return LAYERS.find((l) => l === layer);
}

/** Stacks in deployment order: a layer only references layers before it. */
export function orderStacks(stacks: string[], configs: Map<string, Record<string, unknown>>): string[] {
  const rank = (s: string) => {
    const layer = layerOf(configs.get(s) ?? {});
    return layer === undefined ? LAYERS.length : LAYERS.indexOf(layer);
  };
  return [...stacks].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}
