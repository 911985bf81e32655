/**
 * Bundles a TypeScript Lambda handler (and its AWS SDK clients) into one file at program time,
 * so `pulumi up` deploys exactly the code in this commit without a separate build step.
 */
import { buildSync } from "esbuild";
import { mkdirSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { REPO_ROOT } from "../../workloads/shared/repo-root";

/** `entry` is relative to the repository root, e.g. workloads/functions/name-tag-dns/handler.ts. */
export function functionBundle(entry: string): pulumi.asset.AssetArchive {
  const outDir = path.join(REPO_ROOT, ".cache", "functions", path.basename(path.dirname(entry)));
  mkdirSync(outDir, { recursive: true });
  const outfile = path.join(outDir, "index.js");
  buildSync({
    entryPoints: [path.join(REPO_ROOT, entry)],
    outfile,
    bundle: true,
    platform: "node",
    target: "node24",
    format: "cjs",
    minify: true,
    legalComments: "none",
    logLevel: "error",
  });
  return new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.FileAsset(outfile) });
}
