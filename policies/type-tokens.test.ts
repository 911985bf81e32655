/**
 * Every resource type token the pack names exists in the SDK that registers it: a policy keyed on
 * a misspelt token (or one a provider renamed) would silently check nothing.
 */
import { expect } from "chai";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

const DIRS = [path.join(__dirname, "rules"), __dirname];
const TOKEN = /"((?:aws|kubernetes):[A-Za-z0-9]+\/[A-Za-z0-9]+:[A-Za-z0-9]+)"/g;

function tokensInSources(): Set<string> {
  const out = new Set<string>();
  for (const dir of DIRS) {
    for (const f of readdirSync(dir).filter((n) => n.endsWith(".ts") && !n.endsWith(".test.ts"))) {
      for (const m of readFileSync(path.join(dir, f), "utf8").matchAll(TOKEN)) out.add(m[1]);
    }
  }
  return out;
}

/** The SDK class registered under `token`: `aws:<module>/<x>:<Class>` → aws[module][Class]; kubernetes by group path. */
function sdkClass(token: string): unknown {
  const [pkg, mid, cls] = token.split(":");
  const [module] = mid.split("/");
  if (pkg === "aws") {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const aws = require("@pulumi/aws") as Record<string, Record<string, unknown> | undefined>;
    return aws[module]?.[cls];
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const k8s = require("@pulumi/kubernetes") as Record<string, Record<string, Record<string, unknown>> | undefined>;
  const [group, version] = mid.split("/");
  return k8s[group]?.[version]?.[cls];
}

describe("type tokens the pack names", () => {
  it("exist in @pulumi/aws and @pulumi/kubernetes under exactly that token", () => {
    const tokens = [...tokensInSources()];
    expect(tokens.length).to.be.greaterThan(40);
    const missing = tokens.filter((t) => {
      const cls = sdkClass(t);
      return typeof cls !== "function" || (cls as { __pulumiType?: string }).__pulumiType !== t;
    });
    expect(missing).to.deep.equal([]);
  });
});
