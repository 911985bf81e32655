/** The per-stack table `npm run plan` prints: how many resources of each type. */
import type { StackPlan } from "./types";

export function summarise(plan: StackPlan, file: string): string {
  const counts = new Map<string, number>();
  for (const r of plan.resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  const rows = [...counts.entries()].sort((a, b) => a[0].localeCompare(b[0]));
  const width = Math.max(4, ...rows.map(([t]) => t.length));
  const lines = [
    `stack ${plan.stack}: ${plan.resources.length} resources -> ${file}`,
    `  ${"type".padEnd(width)}  count`,
    ...rows.map(([type, n]) => `  ${type.padEnd(width)}  ${String(n).padStart(5)}`),
  ];
  return lines.join("\n");
}
