import { expect } from "chai";
import { EXEMPTIONS } from "./exemptions";
import { ourPack } from "./gate/testing";

describe("the exemption list", () => {
  it("has unique ids, and each entry waives only policies of the pack, with a reason", async () => {
    const names = new Set((await ourPack()).policies.map((p) => p.name));
    expect(new Set(EXEMPTIONS.map((e) => e.id)).size).to.equal(EXEMPTIONS.length);
    for (const e of EXEMPTIONS) {
      expect(e.waives.length, e.id).to.be.greaterThan(0);
      for (const w of e.waives) expect(names.has(w), `${e.id} waives ${w}`).to.equal(true);
      expect(e.reason.length, e.id).to.be.greaterThan(20);
    }
  });

  it("never waives the claims check itself", () => {
    for (const e of EXEMPTIONS) expect(e.waives).not.to.include("policy-exemption-claims");
  });
});
