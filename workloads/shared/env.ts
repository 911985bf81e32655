/**
 * Typed service configuration from environment variables. Every service validates its whole
 * environment at start, so a bad value stops it with the variable's name before any work.
 */
import { z } from "zod";

export class EnvError extends Error {}

export function loadEnv<S extends z.ZodObject>(schema: S, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = issue.path.join(".");
      const value = env[name];
      if (value === undefined) return `${name}: required${issue.code === "invalid_type" ? "" : ` (${issue.message})`}`;
      return `${name}=${JSON.stringify(value)}: ${issue.message}`;
    });
    throw new EnvError(`invalid environment: ${problems.join("; ")}`);
  }
  return parsed.data;
}

/** Environment values are strings: these coerce them with the bounds a setting needs. */
export const envInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
export const envNumber = (min: number, max: number) => z.coerce.number().min(min).max(max);
export const envBool = z.enum(["true", "false"]).transform((v) => v === "true");
