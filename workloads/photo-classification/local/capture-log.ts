/** A logger whose JSON lines are kept in memory, for tests that assert on what a service logged. */
import { createLogger, type Logger } from "../../shared/log";

export function capturingLogger(service: string): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger(service, {
    write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
  });
  return { log, lines };
}
