import { expect } from "chai";
import { z } from "zod";
import { envBool, envInt, loadEnv } from "./env";

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
