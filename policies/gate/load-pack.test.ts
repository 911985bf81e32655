import { expect } from "chai";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { loadPack, resolvePackEntry } from "./load-pack";
import { tempDirPerTest } from "./testing";
import { REPO_ROOT } from "../../workloads/shared/repo-root";

const OURS = path.resolve(__dirname, "..");
const THIRD_PARTY = path.join(__dirname, "fixtures", "third-party-pack");

describe("gate pack loader", () => {
  const dir = tempDirPerTest("pack-");

  it("captures our pack from PulumiPolicy.yaml + package.json main without serving it", async () => {
    const servers = () => process.getActiveResourcesInfo().filter((r) => r === "TCPServerWrap").length;
    const before = servers();
    const pack = await loadPack(OURS);
    await new Promise((r) => setTimeout(r, 50));
    expect(servers(), "the analyzer's gRPC server must not be started").to.equal(before);
    expect(pack.name).to.equal("ml-platform");
    expect(pack.enforcementLevel).to.equal("mandatory");
    expect(pack.policies.length).to.be.greaterThan(15);
    expect(resolvePackEntry(OURS)).to.equal(path.join(OURS, "index.ts"));
  });

  it("captures a third-party JavaScript pack with its own version, and can load it again", async () => {
    const first = await loadPack(THIRD_PARTY);
    const again = await loadPack(THIRD_PARTY);
    expect([first.name, first.version, again.policies.length]).to.deep.equal(["third-party", "2.3.4", 3]);
    expect(first.initialConfig).to.deep.equal({ "queue-count": { max: 2 } });
    expect(process.cwd()).to.equal(REPO_ROOT);
  });

  it("captures an ES-module pack", async () => {
    const esm = await loadPack(path.join(__dirname, "fixtures", "esm-pack"));
    expect([esm.name, esm.version, esm.enforcementLevel, esm.policies.map((p) => p.name)]).to.deep.equal([
      "esm-pack",
      "1.0.0",
      "mandatory",
      ["no-empty-stack"],
    ]);
  });

  it("explains a directory that is not a nodejs pack, or builds no PolicyPack", async () => {
    await loadPack(dir()).then(
      () => expect.fail("loaded"),
      (e: Error) => expect(e.message).to.contain("has no PulumiPolicy.yaml"),
    );
    writeFileSync(path.join(dir(), "PulumiPolicy.yaml"), "runtime: python\n");
    await loadPack(dir()).then(
      () => expect.fail("loaded"),
      (e: Error) => expect(e.message).to.contain('runtime "python"'),
    );
    writeFileSync(path.join(dir(), "PulumiPolicy.yaml"), "runtime: nodejs\n");
    const nested = path.join(OURS, "gate", "fixtures", `empty-${process.pid}`);
    mkdirSync(nested, { recursive: true });
    try {
      writeFileSync(path.join(nested, "PulumiPolicy.yaml"), "runtime: nodejs\n");
      writeFileSync(path.join(nested, "index.js"), "module.exports = {};\n");
      await loadPack(nested).then(
        () => expect.fail("loaded"),
        (e: Error) => expect(e.message).to.contain("constructed 0 PolicyPack objects"),
      );
    } finally {
      rmSync(nested, { recursive: true, force: true });
    }
  });
});
