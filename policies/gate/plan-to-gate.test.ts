/** `npm run plan` output, not hand-written plans, through the gate: the two halves agree on the format. */
import { expect } from "chai";
import * as path from "node:path";
import { planStack } from "../../infra/plan";
import { evaluatePlans } from "./evaluate";
import { parsePlan } from "./plan-files";
import { ourPack } from "./testing";

const FIXTURE = path.join(__dirname, "fixtures", "plan-program");
const program = path.join(FIXTURE, "program.ts");

describe("policy gate over a real offline plan", function () {
  this.timeout(120000);

  it("passes a compliant program (auto-named bucket, exempt admin role) and names the one violation added", async () => {
    const clean = parsePlan(await planStack("guarded", { root: FIXTURE, program }), "guarded.json");
    expect(clean.resources.map((r) => r.type)).to.include("aws:s3/bucketPolicy:BucketPolicy");
    expect(await evaluatePlans(await ourPack(), [clean])).to.deep.equal([]);

    const open = parsePlan(
      await planStack("guarded", { root: FIXTURE, program, config: { "ml-platform:openSsh": true } }),
      "guarded.json",
    );
    const v = await evaluatePlans(await ourPack(), [open]);
    expect(v.map((x) => [x.policy, x.urn, x.enforcementLevel])).to.deep.equal([
      [
        "security-group-no-public-ingress",
        "urn:pulumi:guarded::ml-platform::aws:ec2/securityGroup:SecurityGroup::bastion",
        "mandatory",
      ],
    ]);
  });
});
