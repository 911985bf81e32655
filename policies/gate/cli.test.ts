import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import type { PlanFile, PlanResource } from "./plan-files";
import { plan, res, tempDirPerTest } from "./testing";

import { REPO_ROOT as ROOT } from "../../workloads/shared/repo-root";
const THIRD_PARTY = path.join(__dirname, "fixtures", "third-party-pack");

function gate(...args: string[]) {
  const r = spawnSync("npx", ["tsx", "policies/gate/cli.ts", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tags = { Owner: "ml-team", Project: "ml-platform" };
const openSg = res(
  "aws:ec2/securityGroup:SecurityGroup",
  "open-ssh",
  { tags, ingress: [{ fromPort: 22, toPort: 22, protocol: "tcp", cidrBlocks: ["0.0.0.0/0"] }] },
  { stack: "research" },
);
const untagged = res(
  "aws:ec2/securityGroup:SecurityGroup",
  "private",
  { ingress: [{ fromPort: 22, toPort: 22, protocol: "tcp", cidrBlocks: ["10.0.0.0/8"] }] },
  { stack: "research" },
);

describe("policy gate CLI (npm run policy)", function () {
  this.timeout(60000);
  const dir = tempDirPerTest("gate-");
  const writePlan = (p: PlanFile) => writeFileSync(path.join(dir(), `${p.stack}.json`), JSON.stringify(p));
  /** The gate over a plan directory holding the stack `research` of `resources`; `flags` follow `--plan`. */
  const gateOver = (resources: PlanResource[], ...flags: string[]) => {
    writePlan(plan(resources, "research"));
    return gate("--plan", dir(), ...flags);
  };

  it("exits 1 on a mandatory violation, naming stack, resource URN and policy", () => {
    const r = gateOver([openSg]);
    expect(r.code, r.stderr).to.equal(1);
    expect(r.stdout).to.contain(
      "[mandatory] research / urn:pulumi:research::ml-platform::aws:ec2/securityGroup:SecurityGroup::open-ssh / security-group-no-public-ingress / ingress from 0.0.0.0/0 on port 22",
    );
  });

  it("exits 0 with only advisory violations, and prints them", () => {
    const r = gateOver([untagged]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain(
      "[advisory] research / urn:pulumi:research::ml-platform::aws:ec2/securityGroup:SecurityGroup::private / required-tags / missing tag(s) Owner, Project",
    );
    expect(r.stdout).to.match(/0 mandatory, 1 advisory violation/);
  });

  it("downgrades a mandatory policy through --config", () => {
    const cfg = path.join(dir(), "policy-config.json.txt");
    writeFileSync(cfg, JSON.stringify({ "security-group-no-public-ingress": { enforcementLevel: "advisory" } }));
    const r = gateOver([openSg], "--config", cfg);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.contain(
      "[advisory] research / urn:pulumi:research::ml-platform::aws:ec2/securityGroup:SecurityGroup::open-ssh / security-group-no-public-ingress",
    );
  });

  it("exits 2 on a config file naming no policy of the pack, or breaking a policy's schema", () => {
    const cfg = path.join(dir(), "cfg.txt");
    writeFileSync(cfg, JSON.stringify({ "security-group-no-public-ingres": "advisory" }));
    const typo = gateOver([untagged], "--config", cfg);
    expect(typo.code).to.equal(2);
    expect(typo.stderr).to.contain(`policy config ${cfg}: no policy named security-group-no-public-ingres`);
    writeFileSync(cfg, JSON.stringify({ "security-group-no-public-ingress": { allowedPorts: [70000] } }));
    const bad = gate("--plan", dir(), "--config", cfg);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.contain("security-group-no-public-ingress.allowedPorts[0] must be <= 65535");
  });

  it("exits 2 naming the file for a malformed plan", () => {
    const bad = path.join(dir(), "broken.json");
    writeFileSync(bad, '{"stack": "broken", "resources": [');
    const r = gateOver([untagged]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain(`malformed plan file ${bad}: not valid JSON`);
  });

  it("runs a third-party pack with its own levels and initial config (--pack)", () => {
    const bucket = (name: string) => res("aws:s3/bucketV2:BucketV2", name, { bucket: name }, { stack: "data" });
    const queues = [1, 2, 3].map((i) => res("aws:sqs/queue:Queue", `q${i}`, {}, { stack: "data" }));
    writePlan(plan([bucket("acme-ok"), ...queues], "data"));
    const advisory = gate("--plan", dir(), "--pack", THIRD_PARTY);
    expect(advisory.code, advisory.stderr).to.equal(0);
    expect(advisory.stdout).to.contain("[advisory] data / (stack) / queue-count / 3 queues, more than 2");
    expect(advisory.stdout).to.contain("policy pack third-party@2.3.4: 3 policies");

    writePlan(plan([bucket("wrong"), ...queues], "data"));
    const mandatory = gate("--plan", dir(), "--pack", THIRD_PARTY);
    expect(mandatory.code).to.equal(1);
    expect(mandatory.stdout).to.contain(
      "[mandatory] data / urn:pulumi:data::ml-platform::aws:s3/bucketV2:BucketV2::wrong / bucket-name-prefix / bucket wrong does not start with acme-",
    );
    expect(mandatory.stdout).not.to.contain("never-runs");
  });

  it("exits 2 with usage when --plan is missing", () => {
    const r = gate();
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain("usage: npm run policy -- --plan DIR");
  });
});
