/**
 * Bundles the photo-classification services into what their container images run:
 *   OUT/photo-api/main.js
 *   OUT/photo-worker/main.js + inference-thread.js (the worker thread is its own entry)
 * Native modules (onnxruntime-node, sharp) stay external; each service's package.json pins
 * them to the versions in package-lock.json for `npm ci` in the image.
 *   tsx scripts/bundle-services.ts [OUT]      (default .cache/services)
 */
import { build } from "esbuild";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const SRC = path.join(ROOT, "workloads", "photo-classification");
const NATIVE = ["onnxruntime-node", "sharp"];

interface Service {
  name: string;
  entries: Record<string, string>;
  native: string[];
}

export const SERVICES: Service[] = [
  { name: "photo-api", entries: { main: path.join(SRC, "api", "main.ts") }, native: [] },
  {
    name: "photo-worker",
    entries: {
      main: path.join(SRC, "worker", "main.ts"),
      "inference-thread": path.join(ROOT, "workloads", "shared", "image-model", "inference-thread.ts"),
    },
    native: NATIVE,
  },
];

async function lockedVersion(name: string): Promise<string> {
  const lock = JSON.parse(await readFile(path.join(ROOT, "package-lock.json"), "utf8")) as {
    packages: Record<string, { version?: string }>;
  };
  const version = lock.packages[`node_modules/${name}`]?.version;
  if (!version) throw new Error(`${name} is not in package-lock.json`);
  return version;
}

export async function bundleServices(out: string): Promise<string[]> {
  const dirs: string[] = [];
  for (const service of SERVICES) {
    const dir = path.join(out, service.name);
    await mkdir(dir, { recursive: true });
    await build({
      entryPoints: service.entries,
      outdir: dir,
      bundle: true,
      platform: "node",
      target: "node24",
      format: "cjs",
      external: NATIVE,
      sourcemap: "linked",
      legalComments: "linked",
      logLevel: "error",
    });
    const dependencies = Object.fromEntries(
      await Promise.all(service.native.map(async (n) => [n, await lockedVersion(n)])),
    );
    await writeFile(
      path.join(dir, "package.json"),
      `${JSON.stringify({ name: service.name, private: true, main: "main.js", dependencies }, null, 2)}\n`,
    );
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
