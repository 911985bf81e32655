/**
 * Tiers and their windows, all in UTC: an hourly window is one feed partition, a daily window
 * is 24 hourly segments, a monthly window is the month's daily segments. A window is named by
 * its start: `2026-11-01T05` (hourly), `2026-11-01` (daily), `2026-11` (monthly).
 */
export const TIERS = ["hourly", "daily", "monthly"] as const;
export type Tier = (typeof TIERS)[number];

export interface Window {
  tier: Tier;
  /** The window's name, as it appears in the repository's keys. */
  name: string;
  start: Date;
  /** Exclusive. */
  end: Date;
}

const pad = (n: number) => String(n).padStart(2, "0");
const HOUR_MS = 3_600_000;

export function windowOf(tier: Tier, start: Date): Window {
  const y = start.getUTCFullYear();
  const m = start.getUTCMonth();
  const d = start.getUTCDate();
  if (tier === "hourly") {
    const s = new Date(Date.UTC(y, m, d, start.getUTCHours()));
    return {
      tier,
      name: `${y}-${pad(m + 1)}-${pad(d)}T${pad(s.getUTCHours())}`,
      start: s,
      end: new Date(+s + HOUR_MS),
    };
  }
  if (tier === "daily") {
    const s = new Date(Date.UTC(y, m, d));
    return { tier, name: `${y}-${pad(m + 1)}-${pad(d)}`, start: s, end: new Date(Date.UTC(y, m, d + 1)) };
  }
  return { tier, name: `${y}-${pad(m + 1)}`, start: new Date(Date.UTC(y, m, 1)), end: new Date(Date.UTC(y, m + 1, 1)) };
}

const PATTERNS: Record<Tier, RegExp> = {
  hourly: /^(\d{4})-(\d{2})-(\d{2})T(\d{2})(?::00(?::00)?(?:\.000)?Z?)?$/,
  daily: /^(\d{4})-(\d{2})-(\d{2})$/,
  monthly: /^(\d{4})-(\d{2})$/,
};
const EXAMPLES: Record<Tier, string> = { hourly: "2026-11-01T05", daily: "2026-11-01", monthly: "2026-11" };

/** `--window` for a tier; the error names the value and the expected shape. */
export function parseWindow(tier: Tier, text: string): Window {
  const m = PATTERNS[tier].exec(text);
  const [y, mo, d, h] = (m ?? []).slice(1).map(Number);
  const start = new Date(Date.UTC(y, (mo ?? 1) - 1, d ?? 1, h ?? 0));
  const w = m ? windowOf(tier, start) : undefined;
  if (!w || w.name !== text.slice(0, w.name.length))
    throw new Error(`--window ${text}: not a ${tier} window (expected e.g. ${EXAMPLES[tier]})`);
  return w;
}

/**
 * When a window is closed, i.e. nothing more can arrive for it: its end plus the feed's close grace
 * (how long the delivery stream may still write an hour's partition after the hour). A day or a
 * month closes with its last hour. The hourly build refuses an open window against this moment.
 */
export function closesAt(w: Window, feedCloseGraceMs: number): Date {
  return new Date(+w.end + feedCloseGraceMs);
}

/**
 * The latest window of `tier` closed at `now` (see closesAt): what a scheduled build builds, so
 * that its CronJob passes `--window last-closed` instead of computing a name with a shell and `date`.
 */
export function lastClosedWindow(tier: Tier, now: Date, feedCloseGraceMs: number): Window {
  // The window holding (now - grace) is still open; the one before it ends at or before that moment.
  const open = windowOf(tier, new Date(+now - feedCloseGraceMs));
  return windowOf(tier, new Date(+open.start - 1));
}

/** The segments a compacted window is built from, in time order. */
export function inputWindows(w: Window): Window[] {
  if (w.tier === "hourly") return [];
  const child: Tier = w.tier === "daily" ? "hourly" : "daily";
  const out: Window[] = [];
  for (let s = w.start; s < w.end; s = windowOf(child, s).end) out.push(windowOf(child, s));
  return out;
}
