import { expect } from "chai";
import fc from "fast-check";
import { parseArgs, type Clock } from "./args";
import { closesAt, inputWindows, lastClosedWindow, parseWindow, TIERS, windowOf } from "../segments/windows";

const GRACE_MS = 900_000;
const at = (iso: string): Clock => ({ now: new Date(iso), feedCloseGraceMs: GRACE_MS });

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
    const clock = at("2026-11-05T12:00:00Z");
    expect(parseArgs(["--tier", "daily", "--window", "2026-11-01", "--force"], clock)).to.deep.include({
      kind: "build",
      force: true,
      named: "given",
    });
    expect(parseArgs(["--rerun", "b1"], clock)).to.deep.equal({ kind: "rerun", buildId: "b1" });
    expect(() => parseArgs(["--tier", "weekly", "--window", "x"], clock)).to.throw("--tier weekly");
    expect(() => parseArgs(["--rerun", "b1", "--force"], clock)).to.throw("--rerun takes");
    expect(() => parseArgs(["--window"], clock)).to.throw("--window needs a value");
    expect(() => parseArgs(["--tier", "daily", "--tier", "hourly", "--window", "last-closed"], clock)).to.throw(
      "--tier given twice",
    );
    expect(() => parseArgs(["--tier", "daily", "--window", "last-closed", "--window", "2026-11-01"], clock)).to.throw(
      "--window given twice",
    );
    expect(() => parseArgs(["--tier", "daily", "--window", "last"], clock)).to.throw(
      "--window last: not a daily window (expected e.g. 2026-11-01); usage: build",
    );
  });

  it("resolves --window last-closed against the clock, as each tier's schedule runs it", () => {
    const resolved = (tier: string, iso: string) => {
      const args = parseArgs(["--tier", tier, "--window", "last-closed"], at(iso));
      if (args.kind !== "build") throw new Error("expected a build");
      expect(args.named).to.equal("last-closed");
      expect(args.force).to.equal(false);
      return args.window.name;
    };
    // Hourly at :20: the previous hour, whose feed partition closed at :15.
    expect(resolved("hourly", "2026-11-01T05:20:00Z")).to.equal("2026-11-01T04");
    expect(resolved("hourly", "2026-11-01T00:20:00Z")).to.equal("2026-10-31T23");
    // Exactly at end + grace the window is closed (build-segment: open while now < closesAt); a moment before, not.
    expect(resolved("hourly", "2026-11-01T05:15:00Z")).to.equal("2026-11-01T04");
    expect(resolved("hourly", "2026-11-01T05:14:59.999Z")).to.equal("2026-11-01T03");
    // Daily at 01:30: yesterday. Monthly at 04:00 on the 1st: last month, across a year too.
    expect(resolved("daily", "2026-12-01T01:30:00Z")).to.equal("2026-11-30");
    expect(resolved("daily", "2028-03-01T01:30:00Z")).to.equal("2028-02-29");
    expect(resolved("monthly", "2026-12-01T04:00:00Z")).to.equal("2026-11");
    expect(resolved("monthly", "2027-01-01T04:00:00Z")).to.equal("2026-12");
    // Before the month's last hour has closed, the month before is still the last closed one.
    expect(resolved("monthly", "2027-01-01T00:10:00Z")).to.equal("2026-11");
    expect(() => parseArgs(["--tier", "hourly", "--window", "last-closed"], at("not a time"))).to.throw(
      "the clock gave an invalid time",
    );
  });

  it("last-closed is the latest window closed at now: closed, and the next one not yet", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...TIERS),
        fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z"), noInvalidDate: true }),
        fc.integer({ min: 0, max: 86_400_000 }),
        (tier, now, graceMs) => {
          const w = lastClosedWindow(tier, now, graceMs);
          expect(+closesAt(w, graceMs)).to.be.at.most(+now);
          expect(+closesAt(windowOf(tier, w.end), graceMs)).to.be.above(+now);
          // A name the build accepts for that tier, naming the same window.
          expect(parseWindow(tier, w.name)).to.deep.equal(w);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
