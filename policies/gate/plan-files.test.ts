import { expect } from "chai";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { parsePlan, readPlanDir, readPlanFile } from "./plan-files";
import { tempDirPerTest } from "./testing";

const provenance = (run: string, time = "2026-11-23T18:00:00.000Z") => ({
  tool: "ml-platform plan",
  run,
  commit: "0123456789abcdef0123456789abcdef01234567",
  dirty: false,
  configHash: "c".repeat(64),
  time,
});

describe("gate plan files", () => {
  const dir = tempDirPerTest("plan-");

  const write = (name: string, text: string) => {
    const file = path.join(dir(), name);
    writeFileSync(file, text);
    return file;
  };

  it("reads every *.json of a directory in name order", () => {
    write("b.json", JSON.stringify({ stack: "b", resources: [], outputs: {} }));
    write(
      "a.json",
      JSON.stringify({
        stack: "a",
        resources: [{ type: "t:m:T", name: "n", urn: "urn:x", parent: null, inputs: {}, dependencies: [] }],
        outputs: {},
      }),
    );
    write("notes.txt", "ignored");
    expect(readPlanDir(dir()).map((p) => [p.stack, p.resources.length])).to.deep.equal([
      ["a", 1],
      ["b", 0],
    ]);
  });

  it("names the file and the problem for invalid JSON", () => {
    const file = write("bad.json", "{ not json");
    expect(() => readPlanFile(file)).to.throw(`malformed plan file ${file}: not valid JSON`);
  });

  it("names the file and the field for a wrong shape", () => {
    expect(() => parsePlan({ stack: "s" }, "f.json")).to.throw(
      'malformed plan file f.json: "resources" must be an array',
    );
    expect(() => parsePlan({ stack: "s", resources: [{ type: "t", name: "n" }] }, "f.json")).to.throw(
      "resources[0].urn must be a non-empty string",
    );
    expect(() =>
      parsePlan({ stack: "s", resources: [{ type: "t", name: "n", urn: "u", dependencies: [1] }] }, "f.json"),
    ).to.throw("resources[0].dependencies");
    expect(() => parsePlan([], "f.json")).to.throw("top level must be a JSON object");
  });

  it("refuses an empty plan directory instead of passing it", () => {
    expect(() => readPlanDir(dir())).to.throw("holds no *.json plan files");
    expect(() => readPlanDir(path.join(dir(), "missing"))).to.throw("cannot be read");
  });

  it("accepts plans of one run, and plans without provenance beside them", () => {
    write("a.json", JSON.stringify({ stack: "a", resources: [], provenance: provenance("run-1") }));
    write("b.json", JSON.stringify({ stack: "b", resources: [], provenance: provenance("run-1") }));
    write("hand-written.json", JSON.stringify({ stack: "other-tool", resources: [] }));
    const plans = readPlanDir(dir());
    expect(plans.map((p) => p.stack)).to.deep.equal(["a", "b", "other-tool"]);
    expect(plans[0].provenance?.run).to.equal("run-1");
  });

  it("refuses plans of different runs, naming the files and when each was built", () => {
    write("a.json", JSON.stringify({ stack: "a", resources: [], provenance: provenance("run-1") }));
    write(
      "b.json",
      JSON.stringify({ stack: "b", resources: [], provenance: provenance("run-0", "2026-11-22T09:00:00.000Z") }),
    );
    expect(() => readPlanDir(dir())).to.throw(
      /plans in .* do not belong together: a\.json \(2026-11-23T18:00:00\.000Z, commit 0123456789ab.*\) vs b\.json \(2026-11-22T09:00:00\.000Z/,
    );
  });

  it("names the field of a malformed provenance", () => {
    expect(() =>
      parsePlan({ stack: "s", resources: [], provenance: { ...provenance("r"), dirty: "no" } }, "f.json"),
    ).to.throw("malformed plan file f.json: provenance.dirty must be a boolean");
    expect(() =>
      parsePlan({ stack: "s", resources: [], provenance: { ...provenance(""), run: "" } }, "f.json"),
    ).to.throw("provenance.run must be a non-empty string");
  });
});
