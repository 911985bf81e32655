/**
 * The GPU AMI version matrix: one `packer/versions/<combination>.pkrvars.hcl` per supported
 * combination. Checks that each file is complete and that its versions go together, before a
 * 40-minute GPU build finds out.
 */
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

export const VERSIONS_DIR = path.join(__dirname, "versions");

export interface Combination {
  combination: string;
  base_os: string;
  nvidia_driver_version: string;
  cuda_version: string;
  cudnn_version: string;
  nvidia_container_toolkit_version: string;
  /** EKS variant only: the Kubernetes minor its EKS-optimized base image is built for (1.33). */
  kubernetes_version?: string;
}

const KEYS: Array<keyof Combination> = [
  "combination",
  "base_os",
  "nvidia_driver_version",
  "cuda_version",
  "cudnn_version",
  "nvidia_container_toolkit_version",
];
/** Keys only some base OSes take, each with the base OSes that require it (and no others may set it). */
const OS_KEYS: Partial<Record<keyof Combination, readonly string[]>> = { kubernetes_version: ["al2023-eks"] };
export const BASE_OS = ["ubuntu22", "al2023", "al2023-eks"] as const;

/**
 * Minimum Linux driver per CUDA minor release (NVIDIA's CUDA toolkit release notes, table 3:
 * "CUDA Toolkit and Corresponding Driver Versions", toolkit driver column).
 */
const MIN_DRIVER: Record<string, string> = {
  "11.8": "520.61.05",
  "12.0": "525.60.13",
  "12.1": "530.30.02",
  "12.2": "535.54.03",
  "12.3": "545.23.06",
  "12.4": "550.54.14",
  "12.5": "555.42.02",
  "12.6": "560.28.03",
  "12.8": "570.26",
  "12.9": "575.51.03",
  "13.0": "580.65.06",
};

/** cuDNN majors and the CUDA majors they ship builds for. */
const CUDNN_CUDA: Record<string, string[]> = { "8": ["11", "12"], "9": ["11", "12", "13"] };

function compare(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The subset of HCL a vars file uses: `key = "string"` lines and comments. */
export function parseVarsFile(text: string, file: string): Record<string, string> {
  const out: Record<string, string> = {};
  text.split("\n").forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#") || trimmed.startsWith("//")) return;
    const m = /^([a-z_][a-z0-9_]*)\s*=\s*"([^"]*)"$/.exec(trimmed);
    if (!m) throw new Error(`${file}:${i + 1}: expected key = "value", got: ${trimmed}`);
    out[m[1]] = m[2];
  });
  return out;
}

/** Every problem with one combination, each naming the file and key. */
export function checkCombination(vars: Record<string, string>, file: string): string[] {
  const problems: string[] = [];
  for (const key of KEYS) if (!vars[key]) problems.push(`${file}: ${key} is missing`);
  for (const key of Object.keys(vars))
    if (!KEYS.includes(key as keyof Combination) && !(key in OS_KEYS))
      problems.push(`${file}: ${key} is not a combination key`);
  for (const [key, oses] of Object.entries(OS_KEYS)) {
    if (!vars.base_os) break;
    const wanted = oses.includes(vars.base_os);
    if (wanted && !vars[key]) problems.push(`${file}: ${key} is missing (required for base_os ${vars.base_os})`);
    if (!wanted && vars[key] !== undefined)
      problems.push(`${file}: ${key} is only for base_os ${oses.join(", ")}, not ${vars.base_os}`);
  }
  if (problems.length > 0) return problems;
  const c = vars as unknown as Combination;
  const name = path.basename(file, ".pkrvars.hcl");
  if (c.combination !== name)
    problems.push(`${file}: combination is "${c.combination}" but the file is named "${name}"`);
  if (!(BASE_OS as readonly string[]).includes(c.base_os))
    problems.push(`${file}: base_os "${c.base_os}" is not one of ${BASE_OS.join(", ")}`);
  if (!/^\d{3}\.\d+(\.\d+)?$/.test(c.nvidia_driver_version))
    problems.push(
      `${file}: nvidia_driver_version "${c.nvidia_driver_version}" is not a driver version like 550.127.05`,
    );
  if (!/^\d+\.\d+\.\d+$/.test(c.cuda_version))
    problems.push(`${file}: cuda_version "${c.cuda_version}" is not like 12.4.1`);
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(c.cudnn_version))
    problems.push(`${file}: cudnn_version "${c.cudnn_version}" is not like 9.1.0.70`);
  if (!/^\d+\.\d+\.\d+$/.test(c.nvidia_container_toolkit_version))
    problems.push(
      `${file}: nvidia_container_toolkit_version "${c.nvidia_container_toolkit_version}" is not like 1.16.2`,
    );
  if (c.kubernetes_version !== undefined && !/^1\.\d{2}$/.test(c.kubernetes_version))
    problems.push(`${file}: kubernetes_version "${c.kubernetes_version}" is not a Kubernetes minor like 1.33`);
  if (problems.length > 0) return problems;

  const cudaMinor = c.cuda_version.split(".").slice(0, 2).join(".");
  const minDriver = MIN_DRIVER[cudaMinor];
  if (minDriver === undefined)
    problems.push(
      `${file}: cuda_version ${c.cuda_version} is not in the known CUDA releases (${Object.keys(MIN_DRIVER).join(", ")})`,
    );
  else if (compare(c.nvidia_driver_version, minDriver) < 0)
    problems.push(
      `${file}: nvidia_driver_version ${c.nvidia_driver_version} is too old for CUDA ${cudaMinor} (needs >= ${minDriver})`,
    );
  const cudnnMajor = c.cudnn_version.split(".")[0];
  const cudaMajor = c.cuda_version.split(".")[0];
  if (!(CUDNN_CUDA[cudnnMajor] ?? []).includes(cudaMajor))
    problems.push(`${file}: cuDNN ${c.cudnn_version} has no build for CUDA ${cudaMajor}`);
  const expectedName = new RegExp(
    `-driver${c.nvidia_driver_version.split(".")[0]}-cuda${cudaMinor.replace(".", "\\.")}-cudnn${cudnnMajor}$`,
  );
  if (!expectedName.test(name))
    problems.push(
      `${file}: the name should end in -driver<branch>-cuda<major.minor>-cudnn<major> matching its versions`,
    );
  // An EKS image works with one control-plane minor: the name says which, so config picks it knowingly.
  if (c.kubernetes_version !== undefined && !name.startsWith(`${c.base_os}${c.kubernetes_version}-`))
    problems.push(
      `${file}: the name should start with ${c.base_os}${c.kubernetes_version}- (base OS and Kubernetes minor)`,
    );
  return problems;
}

export function loadMatrix(dir = VERSIONS_DIR): { combinations: Combination[]; problems: string[] } {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".pkrvars.hcl"))
    .sort();
  const combinations: Combination[] = [];
  const problems: string[] = [];
  if (files.length === 0) problems.push(`${dir}: no combination files`);
  for (const f of files) {
    const file = path.join("packer", "versions", f);
    try {
      const vars = parseVarsFile(readFileSync(path.join(dir, f), "utf8"), file);
      const p = checkCombination(vars, file);
      if (p.length === 0) combinations.push(vars as unknown as Combination);
      problems.push(...p);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  return { combinations, problems };
}

if (require.main === module) {
  const { combinations, problems } = loadMatrix();
  for (const p of problems) console.error(p);
  if (problems.length > 0) process.exit(1);
  for (const c of combinations) console.log(c.combination);
}
