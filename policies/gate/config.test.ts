import { expect } from "chai";
import type { Policy } from "@pulumi/policy";
import { parsePackConfig, resolvePolicyConfig, unknownPolicies } from "./config";
import type { LoadedPack } from "./load-pack";

const policy: Policy = {
  name: "p",
  description: "d",
  configSchema: { properties: { ports: { type: "array", default: [443] }, max: { type: "integer", default: 10 } } },
};
const pack = (over: Partial<LoadedPack> = {}): LoadedPack => ({
  name: "x",
  version: "1",
  enforcementLevel: "advisory",
  policies: [policy],
  initialConfig: {},
  entry: "e",
  ...over,
});

describe("gate policy config", () => {
  it("starts from schema defaults at the pack's level", () => {
    expect(resolvePolicyConfig(pack(), policy, {})).to.deep.equal({
      enforcementLevel: "advisory",
      properties: { ports: [443], max: 10 },
    });
  });

  it("layers initial config, then the user's file; the policy's own level beats 'all'", () => {
    const r = resolvePolicyConfig(
      pack({ initialConfig: { p: { max: 5 } } }),
      { ...policy, enforcementLevel: "mandatory" },
      { all: "advisory", p: { ports: [], enforcementLevel: "disabled" } },
    );
    expect(r).to.deep.equal({ enforcementLevel: "disabled", properties: { ports: [], max: 5 } });
    expect(
      resolvePolicyConfig(pack(), { ...policy, enforcementLevel: "mandatory" }, { all: "advisory" }).enforcementLevel,
    ).to.equal("advisory");
  });

  it("checks properties against the policy's schema, naming policy and property", () => {
    expect(() => resolvePolicyConfig(pack(), policy, { p: { ports: "443" } })).to.throw(
      'p.ports must be array (got "443")',
    );
    expect(() => resolvePolicyConfig(pack(), policy, { p: { max: 2.5 } })).to.throw("p.max must be integer");
    expect(resolvePolicyConfig(pack(), policy, { p: { max: 3 } }).properties.max).to.equal(3);
  });

  it("finds config entries that name no policy of the pack", () => {
    expect(unknownPolicies(pack(), { all: "advisory", p: "mandatory", typo: "disabled" })).to.deep.equal(["typo"]);
  });

  it("rejects unknown levels and non-objects, naming the source", () => {
    expect(() => parsePackConfig({ p: "strict" }, "cfg.json")).to.throw(
      'policy config cfg.json: "p" has enforcement level "strict"',
    );
    expect(() => parsePackConfig([], "cfg.json")).to.throw("top level must be a JSON object");
    expect(() => parsePackConfig({ p: 3 }, "cfg.json")).to.throw('"p" must be an enforcement level or an object');
  });
});
