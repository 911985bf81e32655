/**
 * Which window a scheduled build builds: the one that closed last. A CronJob cannot template its
 * arguments, so the container's shell computes the window's name (`--window`, in the build's
 * format: 2026-11-01T05, 2026-11-01, 2026-11) from the clock at start. The subtraction works in
 * both GNU and busybox `date` (`-d @epoch`).
 */
export type Tier = "hourly" | "daily" | "monthly";

/** Seconds back from the run's start to a moment inside the window just closed, and its name format. */
const PREVIOUS: Record<Tier, { back: number; format: string }> = {
  hourly: { back: 3600, format: "%Y-%m-%dT%H" },
  daily: { back: 86400, format: "%Y-%m-%d" },
  // Runs on the 1st: a day back is inside the previous month.
  monthly: { back: 86400, format: "%Y-%m" },
};

/** `sh -c` script that runs the build command for the last closed window of `tier`. */
export function buildScript(command: string[], tier: Tier): string {
  const quoted = command.map((c) => `'${c.replace(/'/g, `'\\''`)}'`).join(" ");
  const { back, format } = PREVIOUS[tier];
  return `exec ${quoted} --tier ${tier} --window "$(date -u -d "@$(( $(date +%s) - ${back} ))" +${format})"`;
}
