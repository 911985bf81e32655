import { expect } from "chai";
import { parseArgs } from "./args";
import { inputWindows, parseWindow } from "./windows";

describe("windows and the build's command line", () => {
  it("names windows by their start and lists a compaction's inputs", () => {
    const day = parseWindow("daily", "2026-11-30");
    expect(inputWindows(day).map((w) => w.name)).to.have.length(24);
    expect(inputWindows(day)[23].name).to.equal("2026-11-30T23");
    const feb = parseWindow("monthly", "2028-02");
    expect(inputWindows(feb).map((w) => w.name)).to.have.length(29);
    expect(parseWindow("hourly", "2026-11-01T05").end.toISOString()).to.equal("2026-11-01T06:00:00.000Z");
  });

  it("refuses windows that are not the tier's shape or not a real date", () => {
    expect(() => parseWindow("daily", "2026-11")).to.throw(
      "--window 2026-11: not a daily window (expected e.g. 2026-11-01)",
    );
    expect(() => parseWindow("daily", "2026-02-30")).to.throw("not a daily window");
    expect(() => parseWindow("hourly", "2026-11-01T24")).to.throw("not a hourly window");
  });

  it("parses a build or a re-run, and names what is wrong", () => {
    expect(parseArgs(["--tier", "daily", "--window", "2026-11-01", "--force"])).to.deep.include({
      kind: "build",
      force: true,
    });
    expect(parseArgs(["--rerun", "b1"])).to.deep.equal({ kind: "rerun", buildId: "b1" });
    expect(() => parseArgs(["--tier", "weekly", "--window", "x"])).to.throw("--tier weekly");
    expect(() => parseArgs(["--rerun", "b1", "--force"])).to.throw("--rerun takes");
    expect(() => parseArgs(["--window"])).to.throw("--window needs a value");
  });
});
