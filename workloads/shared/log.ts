/** Structured JSON logs on stdout, one logger per service, named by the `service` field. */
import pino, { type DestinationStream, type Logger } from "pino";

export type { Logger };

export function createLogger(service: string, destination?: DestinationStream): Logger {
  const options = {
    base: { service },
    level: process.env.LOG_LEVEL ?? "info",
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return destination ? pino(options, destination) : pino(options);
}
