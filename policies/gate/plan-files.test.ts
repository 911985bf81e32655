import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parsePlan, readPlanDir, readPlanFile } from "./plan-files";

describe("gate plan files", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "plan-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
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
    expect(readPlanDir(dir).map((p) => [p.stack, p.resources.length])).to.deep.equal([
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
    expect(() => readPlanDir(dir)).to.throw("holds no *.json plan files");
    expect(() => readPlanDir(path.join(dir, "missing"))).to.throw("cannot be read");
  });
});
