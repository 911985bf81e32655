import { expect } from "chai";
import { InvalidMessage, parseMessage } from "./s3-event";

const expectation = { bucket: "photos", prefix: "uploads/" };
const record = (key: string, extra: Record<string, unknown> = {}) => ({
  eventVersion: "2.1",
  eventSource: "aws:s3",
  eventName: "ObjectCreated:Put",
  eventTime: "2026-11-23T09:00:00.123Z",
  s3: { bucket: { name: "photos" }, object: { key, size: 1234, eTag: "abc", sequencer: "0055AED6DCD90281E5" } },
  ...extra,
});
const body = (...records: unknown[]) => JSON.stringify({ Records: records });
const invalid = (text: string | undefined) => {
  try {
    parseMessage(text, expectation);
  } catch (err) {
    expect(err).to.be.instanceOf(InvalidMessage);
    return (err as Error).message;
  }
  throw new Error("expected InvalidMessage");
};

describe("parseMessage (S3 event notifications on SQS)", () => {
  it("recognises the test event S3 sends when a notification is configured", () => {
    expect(
      parseMessage(JSON.stringify({ Service: "Amazon S3", Event: "s3:TestEvent", Bucket: "photos" }), expectation),
    ).to.deep.equal({ kind: "test" });
  });

  it("decodes form-encoded keys: + is a space, %2B a plus", () => {
    const parsed = parseMessage(body(record("uploads/my+lunch%2B1+%281%29.jpg")), expectation);
    expect(parsed.kind === "uploads" && parsed.uploads[0]).to.deep.include({
      key: "uploads/my lunch+1 (1).jpg",
      photoId: "my lunch+1 (1).jpg",
      size: 1234,
      eTag: "abc",
    });
  });

  it("returns every upload of a multi-record message and skips non-upload events with a reason", () => {
    const parsed = parseMessage(
      body(record("uploads/a"), record("uploads/b", { eventName: "ObjectRemoved:Delete" }), record("uploads/c")),
      expectation,
    );
    expect(parsed.kind).to.equal("uploads");
    if (parsed.kind !== "uploads") return;
    expect(parsed.uploads.map((u) => u.photoId)).to.deep.equal(["a", "c"]);
    expect(parsed.ignored).to.deep.equal(["Records[1]: ObjectRemoved:Delete is not an upload"]);
  });

  it("unwraps deliveries that came through SNS", () => {
    const wrapped = JSON.stringify({ Type: "Notification", MessageId: "m", Message: body(record("uploads/x")) });
    const parsed = parseMessage(wrapped, expectation);
    expect(parsed.kind === "uploads" && parsed.uploads[0].photoId).to.equal("x");
  });

  it("names what is wrong with shapes it does not know", () => {
    expect(invalid("not json")).to.match(/body is not JSON: "not json"/);
    expect(invalid(undefined)).to.match(/body is not JSON/);
    expect(invalid(JSON.stringify({ hello: "world" }))).to.equal("body has no S3 Records");
    expect(invalid(JSON.stringify({ Records: [] }))).to.equal("body has no S3 Records");
    expect(invalid(body({ eventSource: "aws:sqs" }))).to.equal("Records[0] is not an S3 event record");
    expect(invalid(body(record("uploads/a", { s3: { bucket: { name: "photos" } } })))).to.equal(
      "Records[0].s3 has no bucket or object",
    );
    expect(
      invalid(body(record("uploads/a", { s3: { bucket: { name: "other" }, object: { key: "uploads/a" } } }))),
    ).to.match(/bucket other is not the upload bucket photos/);
    expect(invalid(body(record("elsewhere/a")))).to.match(/key "elsewhere\/a" is not under "uploads\/"/);
    expect(invalid(body(record("uploads/")))).to.match(/is not under/);
    expect(invalid(body(record("uploads/%E0%A4%A")))).to.match(/not valid form encoding/);
    expect(invalid(body(record("uploads/a", { eventTime: "yesterday" })))).to.match(/eventTime/);
  });

  it("refuses keys the API's photo-id contract refuses, with the reason, and keeps the other records", () => {
    const parsed = parseMessage(
      body(
        record("uploads/ok"),
        record(`uploads/${"x".repeat(513)}`),
        record("uploads/."),
        record("uploads/.."),
        record("uploads/lunch+"),
        record("uploads/a%01b"),
      ),
      expectation,
    );
    if (parsed.kind !== "uploads") throw new Error("expected uploads");
    expect(parsed.uploads.map((u) => u.photoId)).to.deep.equal(["ok"]);
    expect(parsed.refused.map((r) => r.key)).to.deep.equal([
      `uploads/${"x".repeat(513)}`,
      "uploads/.",
      "uploads/..",
      "uploads/lunch ",
      "uploads/a\u0001b",
    ]);
    for (const r of parsed.refused) expect(r.reason).to.match(/^Records\[\d\]: key .*: photo id /);
  });
});
