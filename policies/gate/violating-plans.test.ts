/**
 * The gate over one violating plan per class of risk: `npm run policy` exits 1 and names every
 * stack with its policies; each plan alone raises exactly its own mandatory policies (what the
 * CLI's exit code is computed from).
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { evaluatePlans } from "./evaluate";
import { ourPack, plan } from "./testing";
import { VIOLATING_PLANS } from "./violating-plans.fixture";

import { REPO_ROOT as ROOT } from "../../workloads/shared/repo-root";

describe("violating plans of every class the pack must catch", function () {
  this.timeout(120000);

  for (const p of VIOLATING_PLANS) {
    it(`${p.stack}: ${p.policies.join(", ")}`, async () => {
      const found = await evaluatePlans(await ourPack(), [plan(p.resources, p.stack)]);
      const mandatory = [...new Set(found.filter((v) => v.enforcementLevel === "mandatory").map((v) => v.policy))];
      expect(mandatory.sort()).to.deep.equal(p.policies);
    });
  }

  it("npm run policy exits 1 over them and names each stack's policies", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "violating-"));
    try {
      for (const p of VIOLATING_PLANS)
        writeFileSync(path.join(dir, `${p.stack}.json`), JSON.stringify(plan(p.resources, p.stack)));
      const r = spawnSync("npx", ["tsx", "policies/gate/cli.ts", "--plan", dir], { cwd: ROOT, encoding: "utf8" });
      expect(r.status, r.stderr).to.equal(1);
      for (const p of VIOLATING_PLANS) {
        for (const policy of p.policies) {
          expect(r.stdout).to.match(
            new RegExp(`^\\[mandatory\\] ${p.stack} / \\S+ / ${policy} / `, "m"),
            `${p.stack} ${policy}`,
          );
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
