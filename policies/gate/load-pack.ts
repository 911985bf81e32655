/**
 * Loads any CrossGuard pack written against @pulumi/policy without starting its analyzer.
 *
 * `new PolicyPack(...)` ends by calling `serve()` from @pulumi/policy's `server` module, which
 * binds a gRPC port for the Pulumi engine. The constructor calls it through the module's exports
 * object (`server_1.serve(...)`), so swapping that export for a recorder while the pack's entry
 * module runs captures exactly what the engine would be served (name, version, enforcement level,
 * policies, initial config) and nothing listens. The swap is done on the copy of @pulumi/policy
 * the pack itself resolves, so a pack with its own node_modules is handled too.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import type { EnforcementLevel, Policy, PolicyPackArgs } from "@pulumi/policy";
import { parse as parseYaml } from "yaml";

export interface LoadedPack {
  name: string;
  version: string;
  enforcementLevel: EnforcementLevel;
  policies: Policy[];
  /** The optional third constructor argument: config the pack ships as its own default. */
  initialConfig: Record<string, unknown>;
  entry: string;
}

type Serve = (name: string, version: string, level: EnforcementLevel, args: PolicyPackArgs, initial?: unknown) => void;
interface ServerModule {
  serve: Serve;
}

const PACK_NAME = /^[a-zA-Z0-9-_.]{1,100}$/;

/** The module a pack directory runs: package.json "main", else index.ts / index.js (as `pulumi` does). */
export function resolvePackEntry(packPath: string): string {
  const abs = path.resolve(packPath);
  if (!existsSync(abs)) throw new Error(`policy pack ${packPath} does not exist`);
  if (statSync(abs).isFile()) return abs;
  const yamlFile = path.join(abs, "PulumiPolicy.yaml");
  if (!existsSync(yamlFile)) throw new Error(`policy pack ${packPath} has no PulumiPolicy.yaml`);
  const meta = parseYaml(readFileSync(yamlFile, "utf8")) as { runtime?: string | { name?: string } } | null;
  const runtime = typeof meta?.runtime === "string" ? meta.runtime : meta?.runtime?.name;
  if (runtime !== "nodejs") {
    throw new Error(
      `policy pack ${packPath}: runtime "${runtime ?? "(none)"}" in PulumiPolicy.yaml; this gate runs nodejs packs only`,
    );
  }
  const pkgFile = path.join(abs, "package.json");
  if (existsSync(pkgFile)) {
    const main = (JSON.parse(readFileSync(pkgFile, "utf8")) as { main?: string }).main;
    if (main) {
      const resolved = createRequire(pkgFile).resolve(path.resolve(abs, main));
      return resolved;
    }
  }
  for (const candidate of ["index.ts", "index.js", "index.mjs"]) {
    const file = path.join(abs, candidate);
    if (existsSync(file)) return file;
  }
  throw new Error(`policy pack ${packPath}: no entry module (package.json "main", index.ts or index.js)`);
}

/** The PolicyPack constructor reads `${cwd}/package.json` for the version; the engine runs it in the pack's folder. */
function packageDir(from: string): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

async function runEntry(entry: string): Promise<void> {
  const req = createRequire(entry);
  delete req.cache[entry];
  try {
    req(entry);
  } catch (err) {
    if ((err as { code?: string }).code !== "ERR_REQUIRE_ESM") throw err;
    await import(`${pathToFileURL(entry).href}?gate=${Date.now()}`);
  }
}

export async function loadPack(packPath: string): Promise<LoadedPack> {
  const entry = resolvePackEntry(packPath);
  const packReq = createRequire(entry);
  let serverPath: string;
  try {
    serverPath = packReq.resolve("@pulumi/policy/server");
  } catch {
    throw new Error(`policy pack ${packPath}: @pulumi/policy cannot be resolved from ${entry}`);
  }
  const server = packReq(serverPath) as ServerModule;
  const captured: LoadedPack[] = [];
  const original = server.serve;
  server.serve = (name, version, enforcementLevel, args, initial) => {
    captured.push({
      name,
      version,
      enforcementLevel,
      policies: args.policies ?? [],
      initialConfig: (initial as Record<string, unknown> | undefined) ?? {},
      entry,
    });
  };
  const cwd = process.cwd();
  const pkgDir = packageDir(path.dirname(entry));
  try {
    if (pkgDir) process.chdir(pkgDir);
    await runEntry(entry);
  } catch (err) {
    throw new Error(`policy pack ${packPath}: loading ${entry} failed: ${(err as Error).message}`);
  } finally {
    server.serve = original;
    process.chdir(cwd);
  }
  if (captured.length !== 1) {
    throw new Error(
      `policy pack ${packPath}: ${entry} constructed ${captured.length} PolicyPack objects; exactly one is expected`,
    );
  }
  const pack = captured[0];
  if (!PACK_NAME.test(pack.name)) throw new Error(`policy pack ${packPath}: invalid pack name "${pack.name}"`);
  const names = new Set<string>();
  for (const p of pack.policies) {
    if (p.name === "all") throw new Error(`policy pack ${pack.name}: "all" is a reserved policy name`);
    if (names.has(p.name)) throw new Error(`policy pack ${pack.name}: policy "${p.name}" is defined twice`);
    names.add(p.name);
  }
  return pack;
}
