import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { gpuAmiParameterName, listGpuAmiCombinations, resolveGpuAmi } from "./index";

describe("GPU AMI resolution", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), "versions-"));
    writeFileSync(path.join(dir, "ubuntu22-a.pkrvars.hcl"), "");
    writeFileSync(path.join(dir, "al2023-b.pkrvars.hcl"), "");
    writeFileSync(path.join(dir, "README.md"), "");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("lists combinations from the version files only", () => {
    expect(listGpuAmiCombinations(dir)).to.deep.equal(["al2023-b", "ubuntu22-a"]);
  });

  it("names the SSM parameter scripts/packer-build publishes", () => {
    expect(gpuAmiParameterName("ubuntu22-a")).to.equal("/ml-platform/gpu-ami/ubuntu22-a");
  });

  it("refuses an unknown combination, naming it and the known ones", () => {
    expect(() => resolveGpuAmi("centos7", undefined, dir)).to.throw(
      'unknown GPU AMI combination "centos7" (known: al2023-b, ubuntu22-a',
    );
  });

  it("knows the repository's own combinations", () => {
    expect(listGpuAmiCombinations()).to.include("ubuntu22-driver550-cuda12.4-cudnn9");
  });
});
