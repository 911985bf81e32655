import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ConfigError, loadConfig } from "./load";
import { awsAccountId, cidrBlock } from "./schema";

const schema = z.object({
  accountId: awsAccountId,
  replicas: z.number().int().min(1),
  enabled: z.boolean(),
  network: z.object({ cidr: cidrBlock, azs: z.number().int().min(2) }),
  note: z.string().optional(),
});

function withConfig(values: Record<string, string>): void {
  pulumi.runtime.setAllConfig(values);
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  afterEach(() => withConfig({}));

  it("decodes structured values and scalars into the schema's types", () => {
    withConfig({
      "ml-platform:accountId": "012345678901",
      "ml-platform:replicas": "3",
      "ml-platform:enabled": "true",
      "ml-platform:network": JSON.stringify({ cidr: "10.20.0.0/16", azs: 2 }),
    });
    expect(loadConfig(schema)).to.deep.equal({
      accountId: "012345678901",
      replicas: 3,
      enabled: true,
      network: { cidr: "10.20.0.0/16", azs: 2 },
    });
  });

  it("keeps a numeric-looking string a string when the schema wants a string", () => {
    withConfig({
      "ml-platform:accountId": "000000000042",
      "ml-platform:replicas": "1",
      "ml-platform:enabled": "false",
      "ml-platform:network": '{"cidr":"10.0.0.0/16","azs":3}',
      "ml-platform:note": "1234",
    });
    const cfg = loadConfig(schema);
    expect(cfg.accountId).to.equal("000000000042");
    expect(cfg.note).to.equal("1234");
  });

  it("names every missing, malformed and unknown key at once", () => {
    withConfig({
      "ml-platform:accountId": "12345",
      "ml-platform:enabled": "true",
      "ml-platform:network": '{"cidr":"10.0.0.0/33","azs":1}',
      "ml-platform:replicaz": "2",
    });
    const err = errorOf(() => loadConfig(schema));
    const text = err.problems.join("\n");
    expect(text).to.match(/ml-platform:accountId: expected a 12-digit AWS account id/);
    expect(text).to.match(/ml-platform:replicas: .*expected number/i);
    expect(text).to.match(/ml-platform:network\.cidr: expected an IPv4 CIDR/);
    expect(text).to.match(/ml-platform:network\.azs: .*>=2/);
    expect(text).to.match(/ml-platform:replicaz: unknown key/);
    expect(err.problems).to.have.length(5);
  });

  it("reads another namespace when asked", () => {
    withConfig({ "other:replicas": "2" });
    expect(loadConfig(z.object({ replicas: z.number() }), "other")).to.deep.equal({ replicas: 2 });
  });
});
