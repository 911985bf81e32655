import { expect } from "chai";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import * as path from "node:path";
import { evaluatePlans } from "./evaluate";
import { loadPack, type LoadedPack } from "./load-pack";
import { plan, res } from "./testing";

const THIRD_PARTY = path.join(__dirname, "fixtures", "third-party-pack");
const bucket = (name: string) => res("aws:s3/bucketV2:BucketV2", name, { bucket: name });
const queues = (n: number) => Array.from({ length: n }, (_, i) => res("aws:sqs/queue:Queue", `q${i}`, {}));

describe("gate evaluation of a third-party pack", () => {
  let pack: LoadedPack;
  before(async () => {
    pack = await loadPack(THIRD_PARTY);
  });

  it("runs validateResourceOfType only on its type, with the schema default config, at the policy's level", async () => {
    const v = await evaluatePlans(pack, [
      plan([bucket("acme-data"), bucket("other"), res("aws:sqs/queue:Queue", "other", {})]),
    ]);
    expect(v).to.deep.equal([
      {
        stack: "test",
        urn: "urn:pulumi:test::ml-platform::aws:s3/bucketV2:BucketV2::other",
        policy: "bucket-name-prefix",
        pack: "third-party",
        enforcementLevel: "mandatory",
        message: "bucket other does not start with acme-",
      },
    ]);
  });

  it("runs validateStackResourcesOfType with the pack's initial config and the pack's default (advisory) level", async () => {
    expect(await evaluatePlans(pack, [plan(queues(2))])).to.deep.equal([]);
    const v = await evaluatePlans(pack, [plan(queues(3))]);
    expect(v.map((x) => [x.policy, x.enforcementLevel, x.message, x.urn])).to.deep.equal([
      ["queue-count", "advisory", "3 queues, more than 2", undefined],
    ]);
  });

  it("lets a config file override properties and enforcement levels, including 'all' and 'disabled'", async () => {
    const over = await evaluatePlans(pack, [plan([bucket("zeta-data"), ...queues(2)])], {
      "bucket-name-prefix": { prefix: "zeta-" },
      "queue-count": { enforcementLevel: "mandatory", max: 1 },
    });
    expect(over.map((x) => [x.policy, x.enforcementLevel])).to.deep.equal([["queue-count", "mandatory"]]);
    // As with `pulumi preview --policy-pack-config`, "all" sets every policy's level, even one the pack disabled.
    const all = await evaluatePlans(pack, [plan([bucket("other")])], { all: "advisory" });
    expect(all.map((x) => [x.policy, x.enforcementLevel])).to.deep.equal([
      ["bucket-name-prefix", "advisory"],
      ["never-runs", "advisory"],
    ]);
    expect(await evaluatePlans(pack, [plan([bucket("other")])], { "bucket-name-prefix": "disabled" })).to.deep.equal(
      [],
    );
  });

  it("never runs a disabled policy", async () => {
    const v = await evaluatePlans(pack, [plan([bucket("other")])], { "bucket-name-prefix": "disabled" });
    expect(v.some((x) => x.policy === "never-runs")).to.equal(false);
  });

  it("names the stack of each violation across several plans", async () => {
    const v = await evaluatePlans(pack, [plan([bucket("a")], "one"), plan([bucket("b")], "two")]);
    expect(v.map((x) => x.stack)).to.deep.equal(["one", "two"]);
  });

  it("reports a crashing policy with its name and resource instead of passing", async () => {
    const crash: ResourceValidationPolicy = {
      name: "crash",
      description: "d",
      enforcementLevel: "mandatory",
      validateResource: () => {
        throw new Error("boom");
      },
    };
    const crashing: LoadedPack = { ...pack, policies: [crash] };
    let error: Error | undefined;
    await evaluatePlans(crashing, [plan([bucket("x")])]).catch((e: Error) => (error = e));
    expect(error?.message).to.match(
      /policy crash on urn:pulumi:test::ml-platform::aws:s3\/bucketV2:BucketV2::x threw: Error: boom/,
    );
  });

  it("accepts the object form of reportViolation and its own enforcement level", async () => {
    const policy: StackValidationPolicy = {
      name: "object-form",
      description: "desc",
      enforcementLevel: "advisory",
      validateStack: (_args, report) =>
        (report as unknown as (info: object) => void)({
          message: "custom",
          urn: "urn:x",
          enforcementLevel: "mandatory",
        }),
    };
    const objectForm: LoadedPack = { ...pack, policies: [policy] };
    const v = await evaluatePlans(objectForm, [plan([])]);
    expect(v.map((x) => [x.message, x.urn, x.enforcementLevel])).to.deep.equal([["custom", "urn:x", "mandatory"]]);
  });
});
