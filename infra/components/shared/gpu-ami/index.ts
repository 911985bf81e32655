/**
 * How stacks find the GPU AMI of a Packer combination: scripts/packer-build publishes each
 * build's AMI id to SSM under /ml-platform/gpu-ami/<combination>; stacks name the combination
 * in config and read the parameter, so a rebuild rolls out by `pulumi up`, not by editing ids.
 *
 * In `shared/`: the classification, ops and search layers all resolve their GPU AMIs through it.
 */
import { readdirSync } from "node:fs";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { SSM } from "../../../../workloads/shared/conventions";
import { REPO_ROOT } from "../../../../workloads/shared/repo-root";

const VERSIONS_DIR = path.join(REPO_ROOT, "packer", "versions");
const SUFFIX = ".pkrvars.hcl";

export function listGpuAmiCombinations(dir = VERSIONS_DIR): string[] {
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return [];
  }
  return files
    .filter((f) => f.endsWith(SUFFIX))
    .map((f) => f.slice(0, -SUFFIX.length))
    .sort();
}

export function gpuAmiParameterName(combination: string): string {
  return SSM.gpuAmi(combination);
}

/** The AMI id of a combination; an unknown combination stops the program, naming the known ones. */
export function resolveGpuAmi(
  combination: string,
  opts?: pulumi.InvokeOutputOptions,
  dir = VERSIONS_DIR,
): pulumi.Output<string> {
  const known = listGpuAmiCombinations(dir);
  if (!known.includes(combination)) {
    throw new Error(
      `ml-platform:gpuAmi: unknown GPU AMI combination "${combination}" (known: ${known.join(", ") || "none"}; see packer/versions/)`,
    );
  }
  return aws.ssm.getParameterOutput({ name: gpuAmiParameterName(combination) }, opts).value;
}
