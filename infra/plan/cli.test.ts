import { expect } from "chai";
import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { listStacks, stackFile } from "./stack-files";
import { REPO_ROOT } from "../../workloads/shared/repo-root";
import type { StackPlan } from "./types";

const run = promisify(execFile);
const cli = path.join(__dirname, "cli.ts");

async function plan(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", cli, ...args], {
      cwd: REPO_ROOT,
      maxBuffer: 64 << 20,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("npm run plan (CLI)", () => {
  let out: string;
  beforeEach(() => {
    out = mkdtempSync(path.join(tmpdir(), "plan-cli-"));
  });
  afterEach(() => rmSync(out, { recursive: true, force: true }));

  it("plans every stack of the repository into one JSON file each, with a summary per stack", async () => {
    const res = await plan(["--out", out]);
    expect(res.code, res.stderr).to.equal(0);
    const stacks = listStacks();
    expect(readdirSync(out).sort()).to.deep.equal(stacks.map((s) => `${s}.json`).sort());
    for (const stack of stacks) {
      const file = JSON.parse(readFileSync(path.join(out, `${stack}.json`), "utf8")) as StackPlan;
      expect(file.stack).to.equal(stack);
      expect(file.resources.length).to.be.greaterThan(0);
      for (const r of file.resources) {
        expect(Object.keys(r)).to.have.members(["type", "name", "urn", "parent", "provider", "inputs", "dependencies"]);
        expect(r.urn).to.match(new RegExp(`^urn:pulumi:${stack}::ml-platform::`));
      }
      expect(res.stdout).to.match(new RegExp(`stack ${stack}: ${file.resources.length} resources`));
    }
    // One run, one provenance: the gate can tell these files belong together.
    const runs = stacks.map(
      (s) => (JSON.parse(readFileSync(path.join(out, `${s}.json`), "utf8")) as StackPlan).provenance,
    );
    expect(new Set(runs.map((p) => p?.run)).size).to.equal(1);
    expect(runs[0]).to.include({ tool: "ml-platform plan" });
    expect(runs[0]?.configHash).to.match(/^[0-9a-f]{64}$/);
    expect(res.stdout.trim().split("\n")).to.have.length(stacks.length);
  });

  it("exits non-zero naming the stack and the key when an example config is broken", async () => {
    const root = mkdtempSync(path.join(tmpdir(), "plan-root-"));
    try {
      for (const stack of listStacks()) copyFileSync(stackFile(stack), stackFile(stack, root));
      const [victim] = listStacks();
      const broken = readFileSync(stackFile(victim, root), "utf8").replace(
        /^(\s*ml-platform:layer:).*$/m,
        "$1 no-such-layer",
      );
      writeFileSync(stackFile(victim, root), broken);
      // A file from an earlier run of the broken stack must not survive for the gate to pass on.
      writeFileSync(path.join(out, `${victim}.json`), JSON.stringify({ stack: victim, resources: [] }));
      const res = await plan(["--out", out, "--root", root]);
      expect(res.code).to.equal(1);
      expect(res.stderr).to.contain(`stack "${victim}"`);
      expect(res.stderr).to.contain("ml-platform:layer");
      expect(readdirSync(out)).to.not.include(`${victim}.json`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("rejects an unknown stack name", async () => {
    const res = await plan(["--out", out, "--stack", "nope"]);
    expect(res.code).to.equal(2);
    expect(res.stderr).to.contain("unknown stack(s): nope");
  });
});
