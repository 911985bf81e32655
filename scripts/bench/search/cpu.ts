/**
 * CPU time a process has used, read from Linux's /proc/<pid>/stat (user + system, all its
 * threads): the bench divides queries by a server's CPU seconds to get queries per core, whatever
 * else shares the machine's cores.
 */
import { readFileSync } from "node:fs";

/** Linux's USER_HZ: /proc reports times in these ticks (100 on every mainstream architecture). */
const TICKS_PER_SECOND = 100;

/** utime + stime of a /proc/<pid>/stat line, in seconds. */
export function cpuSecondsOfStat(line: string, ticksPerSecond = TICKS_PER_SECOND): number {
  // Field 2 is the command in parentheses and may itself hold spaces and parentheses: split after the last ')'.
  const close = line.lastIndexOf(")");
  if (close < 0) throw new Error(`not a /proc/<pid>/stat line: ${line.slice(0, 80)}`);
  const fields = line
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  // After the command: state is field 3, so utime (field 14) and stime (field 15) are at 11 and 12.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`no utime/stime in: ${line.slice(0, 80)}`);
  return (utime + stime) / ticksPerSecond;
}

/** CPU seconds process `pid` has used so far (Linux only). */
export const processCpuSeconds = (pid: number): number => cpuSecondsOfStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
