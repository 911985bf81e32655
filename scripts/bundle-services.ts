/**
 * Bundles the services into what their container images run (workloads/<story>/images/*.Dockerfile):
 *   OUT/photo-api/main.js
 *   OUT/photo-worker/main.js + inference-thread.js (the worker thread is its own entry)
 *   OUT/search-front/main.js + inference-thread.js + shard-host.proto
 *   OUT/search-shard-host/main.js + search-thread.js + shard-host.proto
 *   OUT/search-controller/main.js
 *   OUT/search-operator/main.js
 *   OUT/search-build/main.js + inference-thread.js
 * Native modules (onnxruntime-node, sharp, hnswlib-node) stay external, and so does grpc-health-check,
 * which loads its .proto from its own package directory. Each service's package.json pins its
 * externals to the versions in package-lock.json, and its package-lock.json is the root lock's
 * entries for them and their dependencies, so the image's `npm ci` installs exactly what the
 * tests ran. An external a bundle imports but does not declare (or declares and never imports)
 * fails the bundle. Models are not bundled: services fetch them from their configured URI.
 *   tsx scripts/bundle-services.ts [OUT]      (default .cache/services)
 */
import { build } from "esbuild";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { isBuiltin } from "node:module";
import * as path from "node:path";

import { REPO_ROOT as ROOT } from "../workloads/shared/repo-root";
const PHOTO = path.join(ROOT, "workloads", "photo-classification");
const SEARCH = path.join(ROOT, "workloads", "search");
const INFERENCE_THREAD = path.join(ROOT, "workloads", "shared", "image-model", "inference-thread.ts");
/** workloads/search/proto/index.ts loads it from beside its own code: beside main.js once bundled. */
const SHARD_HOST_PROTO = path.join(SEARCH, "proto", "shard-host.proto");

/** Everything any bundle may leave external; each service names the ones it imports. */
const EXTERNAL = ["onnxruntime-node", "sharp", "hnswlib-node", "grpc-health-check"];

export interface Service {
  name: string;
  entries: Record<string, string>;
  /** Packages the bundle imports but does not contain: installed by the image's `npm ci`. */
  external: string[];
  /** Files copied beside main.js. */
  files?: string[];
}

export const SERVICES: Service[] = [
  { name: "photo-api", entries: { main: path.join(PHOTO, "api", "main.ts") }, external: [] },
  {
    name: "photo-worker",
    entries: { main: path.join(PHOTO, "worker", "main.ts"), "inference-thread": INFERENCE_THREAD },
    external: ["onnxruntime-node", "sharp"],
  },
  {
    // Embeds query photos on an inference thread; asks the shard hosts over gRPC.
    name: "search-front",
    entries: { main: path.join(SEARCH, "front", "main.ts"), "inference-thread": INFERENCE_THREAD },
    external: ["onnxruntime-node", "sharp"],
    files: [SHARD_HOST_PROTO],
  },
  {
    // Serves many segments; each search thread is its own entry (it loads segments in its own isolate).
    name: "search-shard-host",
    entries: {
      main: path.join(SEARCH, "host", "main.ts"),
      "search-thread": path.join(SEARCH, "host", "search-thread.ts"),
    },
    external: ["hnswlib-node", "grpc-health-check"],
    files: [SHARD_HOST_PROTO],
  },
  { name: "search-controller", entries: { main: path.join(SEARCH, "controller", "main.ts") }, external: [] },
  // The repository sweep's CronJob: S3 only, no native modules.
  { name: "search-sweep", entries: { main: path.join(SEARCH, "sweep", "main.ts") }, external: [] },
  // The segment operator, and the CronJobs' create step (`main.js create-build ...`).
  { name: "search-operator", entries: { main: path.join(SEARCH, "operator", "main.ts") }, external: [] },
  {
    // The CronJobs' program: hourly builds embed on an inference thread, every tier writes HNSW indexes.
    name: "search-build",
    entries: { main: path.join(SEARCH, "builder", "main.ts"), "inference-thread": INFERENCE_THREAD },
    external: ["onnxruntime-node", "sharp", "hnswlib-node"],
  },
];

interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [field: string]: unknown;
}

async function rootLock(): Promise<Record<string, LockEntry>> {
  const lock = JSON.parse(await readFile(path.join(ROOT, "package-lock.json"), "utf8")) as {
    packages: Record<string, LockEntry>;
  };
  return lock.packages;
}

/** Where Node would find `name` from the package installed at `from` ("" for the root), in the root lock's tree. */
function resolveIn(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = `${dir ? `${dir}/` : ""}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!dir) return undefined;
    const cut = dir.lastIndexOf("/node_modules/");
    dir = cut < 0 ? "" : dir.slice(0, cut);
  }
}

/**
 * The root lock cut down to `names` and everything they need (platform-specific optional
 * packages included: npm picks the image's at install), at the same paths and integrity hashes.
 */
export function lockSubset(
  packages: Record<string, LockEntry>,
  service: string,
  names: string[],
): { dependencies: Record<string, string>; lock: object } {
  const dependencies: Record<string, string> = {};
  const picked: Record<string, LockEntry> = {};
  const visit = (from: string, name: string, required: boolean) => {
    const at = resolveIn(packages, from, name);
    if (!at) {
      if (required) throw new Error(`${name} (needed by ${from || service}) is not in package-lock.json`);
      return;
    }
    if (picked[at]) return;
    // Flags about the root project's dev dependencies say nothing about this install.
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = packages[at];
    picked[at] = entry;
    for (const dep of Object.keys(entry.dependencies ?? {})) visit(at, dep, true);
    for (const dep of Object.keys(entry.optionalDependencies ?? {})) visit(at, dep, false);
    for (const dep of Object.keys(entry.peerDependencies ?? {}))
      visit(at, dep, !entry.peerDependenciesMeta?.[dep]?.optional);
  };
  for (const name of [...names].sort()) {
    const at = resolveIn(packages, "", name);
    const version = at && packages[at].version;
    if (!version) throw new Error(`${name} is not in package-lock.json`);
    dependencies[name] = version;
    visit("", name, true);
  }
  const sorted = Object.fromEntries(Object.entries(picked).sort(([a], [b]) => a.localeCompare(b)));
  return {
    dependencies,
    lock: {
      name: service,
      lockfileVersion: 3,
      requires: true,
      packages: { "": { name: service, dependencies }, ...sorted },
    },
  };
}

/** The package a bare import names (`@scope/name/sub` → `@scope/name`). */
const packageOf = (spec: string) =>
  spec
    .split("/")
    .slice(0, spec.startsWith("@") ? 2 : 1)
    .join("/");

export async function bundleServices(out: string, only?: string[]): Promise<string[]> {
  const packages = await rootLock();
  const dirs: string[] = [];
  for (const service of SERVICES.filter((s) => !only || only.includes(s.name))) {
    const dir = path.join(out, service.name);
    await mkdir(dir, { recursive: true });
    const result = await build({
      entryPoints: service.entries,
      outdir: dir,
      bundle: true,
      platform: "node",
      target: "node24",
      format: "cjs",
      external: EXTERNAL,
      sourcemap: "linked",
      legalComments: "linked",
      logLevel: "error",
      metafile: true,
    });
    const imported = new Set<string>();
    for (const output of Object.values(result.metafile.outputs))
      for (const i of output.imports)
        if (i.external && !isBuiltin(i.path) && EXTERNAL.includes(packageOf(i.path))) imported.add(packageOf(i.path));
    const declared = new Set(service.external);
    const undeclared = [...imported].filter((p) => !declared.has(p));
    const unused = [...declared].filter((p) => !imported.has(p));
    if (undeclared.length > 0 || unused.length > 0)
      throw new Error(
        `${service.name}: imports external ${undeclared.join(", ") || "(none missing)"} it does not declare; ` +
          `declares ${unused.join(", ") || "(none extra)"} it never imports`,
      );
    for (const file of service.files ?? []) await copyFile(file, path.join(dir, path.basename(file)));
    const { dependencies, lock } = lockSubset(packages, service.name, service.external);
    await writeFile(
      path.join(dir, "package.json"),
      `${JSON.stringify({ name: service.name, private: true, main: "main.js", dependencies }, null, 2)}\n`,
    );
    await writeFile(path.join(dir, "package-lock.json"), `${JSON.stringify(lock, null, 2)}\n`);
    dirs.push(dir);
  }
  return dirs;
}

if (require.main === module) {
  const out = path.resolve(process.argv[2] ?? path.join(ROOT, ".cache", "services"));
  bundleServices(out).then(
    (dirs) => console.log(dirs.map((d) => `bundled ${path.relative(ROOT, d) || d}`).join("\n")),
    (err: Error) => {
      console.error(`bundle failed: ${err.message}`);
      process.exit(1);
    },
  );
}
