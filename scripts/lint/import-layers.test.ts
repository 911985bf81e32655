/**
 * The import layers of eslint.config.mjs bite: each case plants one import in a file of a given
 * folder (linted as text, nothing written) and expects the layer rule's error, or none where the
 * arrow points down.
 */
import * as path from "node:path";
import { expect } from "chai";
import { ESLint } from "eslint";
import { REPO_ROOT } from "../../workloads/shared/repo-root";

const RULE = "no-restricted-imports";

describe("import layers (eslint no-restricted-imports)", function () {
  this.timeout(60_000);
  const eslint = new ESLint({ cwd: REPO_ROOT });

  /** The layer errors of a file at `file` (repo-relative) whose only line imports `specifier`. */
  async function layerErrors(file: string, specifier: string): Promise<string[]> {
    const code = `import * as planted from "${specifier}";\nexport const used = planted;\n`;
    const [result] = await eslint.lintText(code, { filePath: path.join(REPO_ROOT, file) });
    expect(result.fatalErrorCount, JSON.stringify(result.messages)).to.equal(0);
    return result.messages.filter((m) => m.ruleId === RULE).map((m) => m.message);
  }

  const refused: [string, string, RegExp][] = [
    ["workloads/photo-classification/api/planted.ts", "../../../infra/shared/cidr", /workloads sit below infra/],
    ["workloads/functions/idle-check/planted.ts", "../../../infra/plan/types", /workloads sit below infra/],
    ["workloads/photo-classification/worker/planted.ts", "../../../scripts/embedded-aws", /scripts\/ holds tools/],
    ["workloads/photo-classification/worker/planted.ts", "../local/environment", /harness is not shipped/],
    ["workloads/photo-classification/worker/planted.ts", "../../search/bench/drive", /harness is not shipped/],
    ["workloads/photo-classification/worker/planted.ts", "../../../policies/exemptions", /policy pack reads infra/],
    ["workloads/shared/planted.ts", "../photo-classification/contract", /below every service/],
    ["workloads/shared/image-model/planted.ts", "../../search/builder/config", /below every service/],
    ["workloads/photo-classification/local/planted.ts", "../../../infra/plan/stack-files", /workloads sit below infra/],
    ["infra/stacks/planted.ts", "../../workloads/photo-classification/worker/metrics", /env contract/],
    ["infra/components/search/front/planted.ts", "../../../../workloads/search/host/server", /env contract/],
    ["infra/plan/planted.ts", "../../scripts/embedded-k8s", /scripts\/ holds tools/],
    ["infra/stacks/planted.ts", "../../policies/rules/s3", /policy pack reads infra/],
    [
      "policies/rules/planted.ts",
      "../../workloads/functions/slack-bot/commands",
      /shared names from workloads\/shared/,
    ],
    ["policies/gate/planted.ts", "../../scripts/embedded-aws", /scripts\/ holds tools/],
    ["packer/planted.ts", "../infra/shared/cidr", /workloads sit below infra|packer/],
    ["workloads/functions/slack-bot/planted.ts", "../shared/slack-stand-in.testing", /for tests only/],
    ["policies/rules/planted.ts", "../gate/testing", /for tests only/],
    ["policies/gate/planted.ts", "./violating-plans.fixture", /for tests only/],
    ["infra/stacks/planted.ts", "../plan/fixtures/program", /for tests only/],
  ];
  for (const [file, specifier, message] of refused) {
    it(`refuses ${specifier} in ${file}`, async () => {
      const errors = await layerErrors(file, specifier);
      expect(errors).to.have.length(1);
      expect(errors[0]).to.match(message);
    });
  }

  const allowed: [string, string][] = [
    ["infra/stacks/planted.ts", "../../workloads/photo-classification/worker/config"],
    ["infra/stacks/planted.ts", "../../workloads/shared/conventions"],
    ["infra/components/ops/planted.ts", "../../../workloads/shared/env"],
    // The search layer's shared definitions: the segment (keys, windows) and the custom resources.
    ["infra/components/search/planted.ts", "../../../workloads/search/segments/keys"],
    ["infra/components/search/planted.ts", "../../../workloads/search/crds/definitions"],
    ["policies/rules/planted.ts", "../../workloads/shared/conventions"],
    ["policies/rules/planted.ts", "../../infra/shared/iam-actions"],
    ["workloads/photo-classification/api/planted.ts", "../../shared/ops-server"],
    ["workloads/photo-classification/api/planted.ts", "../contract"],
    // Tests and harnesses may start embedded AWS; tests may read the offline plan.
    ["workloads/photo-classification/api/planted.test.ts", "../../../scripts/embedded-aws"],
    ["workloads/photo-classification/api/planted.int.test.ts", "../local/environment"],
    ["workloads/photo-classification/planted.test.ts", "../../infra/plan"],
    ["workloads/photo-classification/local/planted.ts", "../../../scripts/embedded-aws"],
    ["scripts/bench/planted.ts", "../../workloads/photo-classification/local/environment"],
    // Test helpers and fixtures are test-only files themselves.
    ["policies/gate/planted.fixture.ts", "./testing"],
    ["workloads/functions/shared/planted.testing.ts", "../../../scripts/embedded-aws"],
  ];
  for (const [file, specifier] of allowed) {
    it(`allows ${specifier} in ${file}`, async () => {
      expect(await layerErrors(file, specifier)).to.deep.equal([]);
    });
  }
});
