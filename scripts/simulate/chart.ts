/**
 * The README's plot, written as SVG by hand (no chart dependency): one panel per policy over the
 * simulated day, the queue's visible backlog as an area (left axis) and the desired and running
 * tasks as lines (right axis).
 */
import type { SimulationResult } from "./simulator";

const W = 880;
const PANEL = 170;
const M = { left: 64, right: 48, top: 28, bottom: 26 };

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
const fmt = (n: number) => (n >= 1000 ? `${Math.round(n / 1000)}k` : String(Math.round(n)));

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map((k) => k * p).find((c) => c >= v) ?? 10 * p;
}

export function chart(results: SimulationResult[], title: string): string {
  const height = M.top + results.length * (PANEL + M.bottom) + 10;
  const plotW = W - M.left - M.right;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${M.left}" y="16" font-size="13" font-weight="bold">${esc(title)}</text>`,
  ];
  const tasksMax = Math.max(1, ...results.flatMap((r) => r.series.map((s) => Math.max(s.desired, s.running))));
  results.forEach((r, i) => {
    const top = M.top + i * (PANEL + M.bottom);
    const end = r.series.length > 0 ? r.series[r.series.length - 1].t + (r.series[1]?.t ?? 60) : 86400;
    // Each panel its own backlog scale: a fleet that falls behind would flatten the others.
    const backlogMax = niceMax(Math.max(1, ...r.series.map((s) => s.visible)));
    const x = (t: number) => M.left + (t / end) * plotW;
    const yB = (v: number) => top + PANEL - (v / backlogMax) * PANEL;
    const yT = (v: number) => top + PANEL - (v / (tasksMax + 1)) * PANEL;
    out.push(`<rect x="${M.left}" y="${top}" width="${plotW}" height="${PANEL}" fill="none" stroke="#999"/>`);
    const area = r.series.map((s) => `${x(s.t).toFixed(0)},${yB(s.visible).toFixed(0)}`);
    out.push(
      `<polygon fill="#9ecae1" stroke="none" points="${x(0).toFixed(1)},${top + PANEL} ${area.join(" ")} ${x(end).toFixed(1)},${top + PANEL}"/>`,
    );
    const line = (key: "desired" | "running", colour: string, dash: string) =>
      out.push(
        `<polyline fill="none" stroke="${colour}" stroke-width="1.5"${dash} points="${r.series
          // Only where the count changes: the line is a step function.
          .filter(
            (s, j, all) => j === 0 || j === all.length - 1 || s[key] !== all[j - 1][key] || s[key] !== all[j + 1][key],
          )
          .map((s) => `${x(s.t).toFixed(1)},${yT(s[key]).toFixed(1)}`)
          .join(" ")}"/>`,
      );
    line("desired", "#d62728", ` stroke-dasharray="4 2"`);
    line("running", "#2ca02c", "");
    for (let h = 0; h <= end / 3600; h += 3) {
      out.push(
        `<text x="${x(h * 3600)}" y="${top + PANEL + 13}" text-anchor="middle">${String(h).padStart(2, "0")}:00</text>`,
      );
    }
    for (const f of [0, 0.5, 1]) {
      out.push(`<text x="${M.left - 4}" y="${yB(f * backlogMax) + 4}" text-anchor="end">${fmt(f * backlogMax)}</text>`);
    }
    for (let k = 0; k <= tasksMax; k += Math.max(1, Math.ceil(tasksMax / 5))) {
      out.push(`<text x="${W - M.right + 4}" y="${yT(k) + 4}">${k}</text>`);
    }
    const label = `${r.policy}: ${r.sloMisses} SLO misses, p99 ${Math.round(r.p99Seconds)} s, ${r.gpuHours.toFixed(1)} GPU-h`;
    out.push(`<text x="${M.left + 6}" y="${top + 14}" font-weight="bold">${esc(label)}</text>`);
  });
  const ly = height - 6;
  out.push(
    `<text x="${M.left}" y="${ly}">blue area: visible photos (left axis, scaled per panel) · red dashed: desired tasks · green: running tasks (right axis) · hours UTC</text>`,
    `</svg>`,
  );
  return out.join("\n") + "\n";
}
