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

/** SCREAMING_SNAKE environment names as the camelCase setting names services use inside. */
type Camel<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Lowercase<Head>}${Capitalize<Camel<Tail>>}`
  : Lowercase<S>;
type Names<S extends z.ZodObject> = keyof z.output<S> & string;
type RequiredNames<S extends z.ZodObject> = {
  [K in keyof z.input<S>]-?: undefined extends z.input<S>[K] ? never : K;
}[keyof z.input<S>] &
  string;

/** A service's validated settings, camelCase: what its domain classes take. */
export type Settings<S extends z.ZodObject> = { [K in Names<S> as Camel<K>]: z.output<S>[K] };
/** What a caller gives to turn into an environment: settings with a default may be left out. */
export type SettingsInput<S extends z.ZodObject> = Partial<Settings<S>> & {
  [K in RequiredNames<S> as Camel<K>]: z.output<S>[K];
};

const camel = (name: string) => name.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();

/** Reads and validates the environment (see loadEnv) into camelCase settings. */
export function loadSettings<S extends z.ZodObject>(schema: S, env: NodeJS.ProcessEnv = process.env): Settings<S> {
  const parsed = loadEnv(schema, env) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [camel(k), v])) as Settings<S>;
}

/**
 * The environment that gives a service `settings`: the inverse of loadSettings. Every value is
 * checked against the service's schema here, so a stack or a harness with a bad setting fails
 * naming the variable, not the service at start. Settings left undefined are left out (defaults,
 * or secrets the platform injects).
 */
export function environmentFrom<S extends z.ZodObject>(
  schema: S,
  settings: Partial<Settings<S>>,
): Record<string, string> {
  const env: Record<string, string> = {};
  const problems: string[] = [];
  for (const [key, value] of Object.entries(settings)) {
    if (value === undefined) continue;
    const name = snake(key);
    const field = schema.shape[name] as z.ZodType | undefined;
    if (!field) {
      problems.push(`${key}: not a setting of this service`);
      continue;
    }
    const text = String(value);
    const parsed = field.safeParse(text);
    if (parsed.success) env[name] = text;
    else problems.push(`${name}=${JSON.stringify(text)}: ${parsed.error.issues.map((i) => i.message).join(", ")}`);
  }
  if (problems.length > 0) throw new EnvError(`invalid settings: ${problems.join("; ")}`);
  return env;
}
