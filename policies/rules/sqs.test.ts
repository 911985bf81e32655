import { expect } from "chai";
import { res, violations } from "../gate/testing";

const dlqArn = "arn:aws:sqs:eu-west-1:111111111111:jobs-dlq";
const redrive = (n: unknown) => JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: n });
const queue = (name: string, inputs: Record<string, unknown> = {}, opts = {}) =>
  res("aws:sqs/queue:Queue", name, { sqsManagedSseEnabled: true, ...inputs }, opts);

describe("policy sqs-encrypted", () => {
  const P = "sqs-encrypted";
  it("flags an unencrypted queue", async () => {
    expect(await violations([queue("q", { sqsManagedSseEnabled: false })], P)).to.have.length(1);
  });
  it("passes SSE-SQS and KMS", async () => {
    expect(
      await violations([queue("a"), queue("b", { sqsManagedSseEnabled: undefined, kmsMasterKeyId: "alias/sqs" })], P),
    ).to.deep.equal([]);
  });
});

describe("policy sqs-dead-letter-queue", () => {
  const P = "sqs-dead-letter-queue";
  it("flags a queue without a DLQ, and out-of-range maxReceiveCount", async () => {
    const v = await violations(
      [
        queue("lonely"),
        queue("greedy", { redrivePolicy: redrive(50) }),
        queue("zero", { redrivePolicy: redrive(0) }),
        queue("jobs-dlq"),
      ],
      P,
    );
    expect(v.map((x) => String(x.urn).split("::").pop())).to.deep.equal(["lonely", "greedy", "zero"]);
    expect(v[1].message).to.contain("from 1 to 10");
  });
  it("exempts the DLQ itself (by deadLetterTargetArn, by dependency, or by tag)", async () => {
    expect(await violations([queue("jobs", { redrivePolicy: redrive(5) }), queue("jobs-dlq")], P)).to.deep.equal([]);
    const dlq = queue("failed", { name: "<computed>" });
    const main = queue(
      "work",
      { redrivePolicy: JSON.stringify({ deadLetterTargetArn: "<computed>", maxReceiveCount: 3 }) },
      { dependencies: [dlq.urn] },
    );
    expect(await violations([main, dlq], P)).to.deep.equal([]);
    expect(await violations([queue("tagged", { tags: { "ml-platform:purpose": "dead-letter" } })], P)).to.deep.equal(
      [],
    );
  });
  it("takes the maximum from config", async () => {
    const q = [queue("jobs", { redrivePolicy: redrive(5) }), queue("jobs-dlq")];
    expect(await violations(q, P, { [P]: { maxReceiveCount: 3 } })).to.have.length(1);
  });
});

describe("policy sqs-dead-letter-queue with values known only after deployment", () => {
  it("does not fail a queue whose whole redrivePolicy is unknown, and still checks the others", async () => {
    const v = await violations(
      [queue("work", { redrivePolicy: "<computed>" }), queue("lonely")],
      "sqs-dead-letter-queue",
    );
    expect(v.map((x) => String(x.urn).split("::").pop())).to.deep.equal(["lonely"]);
  });
});
