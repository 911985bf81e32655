import { expect } from "chai";
import { z } from "zod";
import { envBool, envInt, environmentFrom, loadEnv, loadSettings } from "./env";

describe("loadEnv", () => {
  const schema = z.object({ QUEUE_URL: z.url(), BATCH_SIZE: envInt(1, 64).default(8), DEBUG: envBool.default(false) });

  it("coerces and defaults values", () => {
    expect(loadEnv(schema, { QUEUE_URL: "http://q", BATCH_SIZE: "16", DEBUG: "true" })).to.deep.equal({
      QUEUE_URL: "http://q",
      BATCH_SIZE: 16,
      DEBUG: true,
    });
    expect(loadEnv(schema, { QUEUE_URL: "http://q" })).to.include({ BATCH_SIZE: 8, DEBUG: false });
  });

  it("names every bad or missing variable with its value", () => {
    expect(() => loadEnv(schema, { BATCH_SIZE: "0" })).to.throw(
      /^invalid environment: QUEUE_URL: required; BATCH_SIZE="0": .*>=1/,
    );
    expect(() => loadEnv(schema, { QUEUE_URL: "http://q", DEBUG: "yes" })).to.throw(/DEBUG="yes"/);
  });
});

describe("loadSettings and environmentFrom (one environment contract per service)", () => {
  const schema = z.object({
    QUEUE_URL: z.url(),
    BATCH_SIZE: envInt(1, 64).default(8),
    DEAD_LETTER_QUEUE_URL: z.url(),
  });

  it("turns camelCase settings into the environment that loads back into the same settings", () => {
    const env = environmentFrom(schema, { queueUrl: "http://q", deadLetterQueueUrl: "http://d", batchSize: 16 });
    expect(env).to.deep.equal({ QUEUE_URL: "http://q", DEAD_LETTER_QUEUE_URL: "http://d", BATCH_SIZE: "16" });
    expect(loadSettings(schema, env)).to.deep.equal({
      queueUrl: "http://q",
      deadLetterQueueUrl: "http://d",
      batchSize: 16,
    });
  });

  it("refuses a bad value or an unknown setting, naming it", () => {
    expect(() => environmentFrom(schema, { queueUrl: "http://q", batchSize: 0 })).to.throw(/BATCH_SIZE="0"/);
    expect(() => environmentFrom(schema, { queueUrl: "http://q", batchsize: 3 } as never)).to.throw(
      /batchsize: not a setting of this service/,
    );
  });
});
