import { expect } from "chai";
import { checkCombination, loadMatrix, parseVarsFile } from "./matrix";

const good = {
  combination: "ubuntu22-driver550-cuda12.4-cudnn9",
  base_os: "ubuntu22",
  nvidia_driver_version: "550.127.05",
  cuda_version: "12.4.1",
  cudnn_version: "9.1.0.70",
  nvidia_container_toolkit_version: "1.16.2",
};
/** A combination's file: named after the combination. */
const fileOf = (c: { combination: string }) => `packer/versions/${c.combination}.pkrvars.hcl`;
const file = fileOf(good);

describe("GPU AMI version matrix", () => {
  it("accepts every combination in the repository", () => {
    const { combinations, problems } = loadMatrix();
    expect(problems).to.deep.equal([]);
    expect(combinations.map((c) => c.base_os)).to.include.members(["ubuntu22", "al2023", "al2023-eks"]);
  });

  it("accepts a consistent combination", () => {
    expect(checkCombination(good, file)).to.deep.equal([]);
  });

  it("names a missing or unknown key", () => {
    const { cudnn_version: _dropped, ...incomplete } = good;
    expect(checkCombination(incomplete, file)).to.deep.equal([`${file}: cudnn_version is missing`]);
    expect(checkCombination({ ...good, cuda_home: "/x" }, file)).to.deep.equal([
      `${file}: cuda_home is not a combination key`,
    ]);
  });

  it("refuses a version not of its form (as the template's variable validations do)", () => {
    const forms: [keyof typeof good, string, string][] = [
      ["nvidia_driver_version", "55.1", "is not a driver version like 550.127.05"],
      ["cuda_version", "12.4", "is not like 12.4.1"],
      ["cudnn_version", "9.1.0", "is not like 9.1.0.70"],
      ["nvidia_container_toolkit_version", "1.16", "is not like 1.16.2"],
    ];
    for (const [key, value, problem] of forms)
      expect(checkCombination({ ...good, [key]: value }, file)).to.deep.equal([
        `${file}: ${key} "${value}" ${problem}`,
      ]);
  });

  it("refuses a driver too old for the CUDA version", () => {
    const old = { ...good, combination: "ubuntu22-driver535-cuda12.4-cudnn9", nvidia_driver_version: "535.183.01" };
    expect(checkCombination(old, fileOf(old))).to.deep.equal([
      `${fileOf(old)}: nvidia_driver_version 535.183.01 is too old for CUDA 12.4 (needs >= 550.54.14)`,
    ]);
    const cuda13 = { ...good, combination: "ubuntu22-driver550-cuda13.0-cudnn9", cuda_version: "13.0.2" };
    expect(checkCombination(cuda13, fileOf(cuda13))[0]).to.contain("too old for CUDA 13.0 (needs >= 580");
  });

  it("refuses a cuDNN with no build for the CUDA major, an unknown OS and a misnamed file", () => {
    const cudnn8 = {
      ...good,
      combination: "ubuntu22-driver580-cuda13.0-cudnn8",
      nvidia_driver_version: "580.95.05",
      cuda_version: "13.0.2",
      cudnn_version: "8.9.7.29",
    };
    expect(checkCombination(cudnn8, fileOf(cudnn8))).to.deep.equal([
      `${fileOf(cudnn8)}: cuDNN 8.9.7.29 has no build for CUDA 13`,
    ]);
    expect(checkCombination({ ...good, base_os: "centos7" }, file)[0]).to.contain(
      'base_os "centos7" is not one of ubuntu22, al2023',
    );
    expect(checkCombination(good, "packer/versions/other.pkrvars.hcl")[0]).to.contain('but the file is named "other"');
  });

  it("requires kubernetes_version for the EKS base only, and the name to carry it", () => {
    const eks = {
      ...good,
      combination: "al2023-eks1.33-driver550-cuda12.4-cudnn9",
      base_os: "al2023-eks",
      kubernetes_version: "1.33",
    };
    const eksFile = fileOf(eks);
    expect(checkCombination(eks, eksFile)).to.deep.equal([]);
    const { kubernetes_version: _k, ...noVersion } = eks;
    expect(checkCombination(noVersion, eksFile)).to.deep.equal([
      `${eksFile}: kubernetes_version is missing (required for base_os al2023-eks)`,
    ]);
    expect(checkCombination({ ...good, kubernetes_version: "1.33" }, file)).to.deep.equal([
      `${file}: kubernetes_version is only for base_os al2023-eks, not ubuntu22`,
    ]);
    expect(checkCombination({ ...eks, kubernetes_version: "1.34" }, eksFile)).to.deep.equal([
      `${eksFile}: the name should start with al2023-eks1.34- (base OS and Kubernetes minor)`,
    ]);
    expect(checkCombination({ ...eks, kubernetes_version: "v1.33" }, eksFile)[0]).to.contain(
      'kubernetes_version "v1.33" is not a Kubernetes minor like 1.33',
    );
  });

  it("names the file and line of a syntax it does not take", () => {
    expect(() => parseVarsFile('base_os = "ubuntu22"\ncuda_version = 12.4\n', "x.pkrvars.hcl")).to.throw(
      'x.pkrvars.hcl:2: expected key = "value", got: cuda_version = 12.4',
    );
  });
});
