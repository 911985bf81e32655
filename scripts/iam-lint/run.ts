/**
 * Runs Parliament (an independent IAM linter) over every policy document in a directory of
 * offline plans and fails on any finding that `allow-list.json` does not list with its reason.
 *
 *   tsx scripts/iam-lint/run.ts --plan DIR --parliament .venv/bin/parliament
 *
 * Parliament lints identity policies. It reads a trust policy as an identity policy without a
 * Resource, and has no resource-policy mode (it ignores Principal): trust and resource policies
 * are linted all the same, for their actions and conditions, and the findings that only mean
 * "this is not an identity policy" are listed, per kind, in the allow-list.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { documentsOf, type DocumentKind } from "../../infra/plan/policy-documents";
import type { StackPlan } from "../../infra/plan/types";

interface Finding {
  issue: string;
  detail?: unknown;
}
interface Allowed {
  issue: string;
  /** The document kind the entry covers (identity, resource, trust, scp). */
  kind?: DocumentKind;
  /** A stack and resource name, when the entry covers one document only. */
  stack?: string;
  resource?: string;
  reason: string;
}

function lint(parliament: string, doc: string): Finding[] {
  try {
    execFileSync(parliament, ["--string", doc, "--json"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return [];
  } catch (err) {
    const e = err as { status?: number; stdout?: string; stderr?: string };
    const lines = (e.stdout ?? "").split("\n").filter((l) => l.trim().startsWith("{"));
    if (lines.length === 0) throw new Error(`parliament failed (status ${e.status}): ${e.stderr ?? ""}`);
    return lines.map((l) => JSON.parse(l) as Finding);
  }
}

function main(): void {
  const { values } = parseArgs({ options: { plan: { type: "string" }, parliament: { type: "string" } } });
  if (!values.plan || !values.parliament) throw new Error("usage: run.ts --plan DIR --parliament PATH");
  const allowList = JSON.parse(readFileSync(path.join(__dirname, "allow-list.json"), "utf8")) as Allowed[];
  const used = new Set<Allowed>();
  const failures: string[] = [];
  let documents = 0;
  for (const file of readdirSync(values.plan).filter((f) => f.endsWith(".json"))) {
    const plan = JSON.parse(readFileSync(path.join(values.plan, file), "utf8")) as StackPlan;
    for (const r of plan.resources) {
      for (const d of documentsOf(r)) {
        documents++;
        const text = typeof d.text === "string" ? d.text : JSON.stringify(d.text);
        for (const f of lint(values.parliament, text)) {
          const entry = allowList.find(
            (a) =>
              a.issue === f.issue &&
              (a.kind === undefined || a.kind === d.kind) &&
              (a.stack === undefined || a.stack === plan.stack) &&
              (a.resource === undefined || a.resource === r.name),
          );
          if (entry) used.add(entry);
          else
            failures.push(
              `${plan.stack} ${r.type} ${r.name} ${d.key} (${d.kind}): ${f.issue} ${JSON.stringify(f.detail).slice(0, 160)}`,
            );
        }
      }
    }
  }
  const stale = allowList.filter((a) => !used.has(a));
  for (const a of stale) failures.push(`allow-list entry matches nothing (remove it): ${JSON.stringify(a)}`);
  if (documents === 0) failures.push("no policy documents found: the plan directory is empty or unreadable");
  if (failures.length > 0) {
    process.stderr.write(
      `iam-lint: ${failures.length} problem(s) over ${documents} documents\n${failures.join("\n")}\n`,
    );
    process.exit(1);
  }
  process.stdout.write(`iam-lint: ${documents} policy documents, no finding outside the allow-list\n`);
}

main();
