/** The line `npm run plan` prints per stack; the plan file holds the details. */
import type { StackPlan } from "./types";

export function summarise(plan: StackPlan, file: string): string {
  const counts = new Map<string, number>();
  for (const r of plan.resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  const top = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, 3)
    .map(([type, n]) => `${n} ${type.split(":").pop()}`);
  return `stack ${plan.stack}: ${plan.resources.length} resources of ${counts.size} types (most: ${top.join(", ")}) -> ${file}`;
}
