import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { buildScript, type Tier } from "./windows";

describe("segment build windows (the CronJob's --window)", () => {
  let bin: string;
  before(() => {
    // A `date` whose clock is fixed (`+%s`) and which otherwise is the system's, as in the container.
    bin = mkdtempSync(path.join(tmpdir(), "fake-date-"));
    const real = execFileSync("/bin/sh", ["-c", "command -v date"], { encoding: "utf8" }).trim();
    writeFileSync(
      path.join(bin, "date"),
      `#!/bin/sh\nif [ "$1" = "+%s" ]; then echo "$FAKE_NOW"; else exec ${real} "$@"; fi\n`,
    );
    chmodSync(path.join(bin, "date"), 0o755);
  });
  after(() => rmSync(bin, { recursive: true, force: true }));

  /** Runs the CronJob's script at `now` with `echo` as the build, so it prints the arguments the build gets. */
  function argsAt(tier: Tier, now: string, command = ["echo"]): string {
    return execFileSync("/bin/sh", ["-c", buildScript(command, tier)], {
      encoding: "utf8",
      env: { PATH: `${bin}:${process.env.PATH}`, FAKE_NOW: String(Date.parse(now) / 1000) },
    }).trim();
  }

  it("names the window that closed last, in the build's format, across a month and a year boundary", () => {
    expect(argsAt("hourly", "2026-12-01T00:20:00Z")).to.equal("--tier hourly --window 2026-11-30T23");
    expect(argsAt("hourly", "2026-11-05T13:20:00Z")).to.equal("--tier hourly --window 2026-11-05T12");
    expect(argsAt("daily", "2026-12-01T01:30:00Z")).to.equal("--tier daily --window 2026-11-30");
    expect(argsAt("monthly", "2026-12-01T04:00:00Z")).to.equal("--tier monthly --window 2026-11");
    expect(argsAt("monthly", "2027-01-01T04:00:00Z")).to.equal("--tier monthly --window 2026-12");
  });

  it("passes the build command through quoted, whatever it contains", () => {
    expect(argsAt("daily", "2026-03-01T01:30:00Z", ["printf", "%s|", "it's"])).to.equal(
      "it's|--tier|daily|--window|2026-02-28|",
    );
  });
});
