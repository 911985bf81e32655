/**
 * The lifecycle every service process shares: read and validate the environment (exit 2 with
 * the variable's name if it is wrong), start (exit 1 if that fails), and on SIGTERM or SIGINT
 * stop gracefully and exit 0 (1 if stopping failed). Logs are JSON on stdout.
 */
import { createLogger, type Logger } from "./log";

export interface Stoppable {
  stop(): Promise<unknown>;
}

export async function runService<C>(
  name: string,
  loadConfig: () => C,
  start: (config: C, log: Logger) => Promise<Stoppable>,
): Promise<void> {
  const log = createLogger(name);
  let config: C;
  try {
    config = loadConfig();
  } catch (err) {
    log.fatal((err as Error).message);
    process.exit(2);
  }
  let running: Stoppable;
  try {
    running = await start(config, log);
  } catch (err) {
    log.fatal({ err: (err as Error).message }, `${name} failed to start`);
    process.exit(1);
  }
  const stop = (signal: string) => {
    log.info({ signal }, "stop requested");
    running.stop().then(
      () => process.exit(0),
      (err: Error) => {
        log.error({ err: err.message }, "stop failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}
