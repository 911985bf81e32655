/** Small readers shared by the rule files: plan inputs are plain JSON, policy documents may be strings. */
import type { PolicyResource, ResourceValidation, ResourceValidationArgs, ReportViolation } from "@pulumi/policy";

export type Props = Record<string, unknown>;

export const isRecord = (v: unknown): v is Props => typeof v === "object" && v !== null && !Array.isArray(v);

export const asArray = <T = unknown>(v: unknown): T[] =>
  v === undefined || v === null ? [] : Array.isArray(v) ? (v as T[]) : [v as T];

/** A JSON string (what `JSON.stringify`/`pulumi.jsonStringify` produce) or an already-parsed object. */
export function parseJson(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/**
 * Reads a value that may be unknown during preview (the gate and the engine throw on access).
 * Only for values used to *link* resources (names, ids): an unknown link falls back to other
 * evidence; security settings themselves are read directly so unknowns surface as notes.
 */
export function known<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (e) {
    if ((e as Error).constructor?.name === "UnknownValueError") return undefined;
    throw e;
  }
}

/**
 * Runs one resource's part of a stack policy. A value only known after deployment then costs an
 * advisory note on that resource (like the engine's note for a resource policy) instead of
 * silently ending the whole stack policy, which would leave the other resources unchecked.
 */
export function perResource(report: ReportViolation, urn: string, check: () => void): void {
  try {
    check();
  } catch (e) {
    reportUnknown(report, urn, e);
  }
}

/** A value unknown during preview is an advisory "can't check"; anything else is rethrown. */
function reportUnknown(report: ReportViolation, urn: string, e: unknown): void {
  if ((e as Error).constructor?.name !== "UnknownValueError") throw e;
  // The object form of reportViolation (supported by the engine, absent from the typings) carries a level.
  (report as unknown as (v: object) => void)({
    message: `can't check during preview: ${(e as Error).message}`,
    urn,
    enforcementLevel: "advisory",
  });
}

/** `perResource` for a check that awaits (action expansion is asynchronous). */
export async function perResourceAsync(
  report: ReportViolation,
  urn: string,
  check: () => Promise<void> | void,
): Promise<void> {
  try {
    await check();
  } catch (e) {
    reportUnknown(report, urn, e);
  }
}

/** A resource validation for the listed type tokens only; with one type the engine's fast filter applies. */
export function forTypes(
  types: readonly string[],
  validate: (props: Props, args: ResourceValidationArgs, report: ReportViolation) => void | Promise<void>,
): ResourceValidation {
  const fn: ResourceValidation = (args, report) => {
    if (!types.includes(args.type)) return;
    return validate(args.props as Props, args, report);
  };
  if (types.length === 1) (fn as { __pulumiType?: string }).__pulumiType = types[0];
  return fn;
}

export interface Statement {
  Effect?: string;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  Principal?: unknown;
  Condition?: unknown;
}

/** Statements of an IAM policy document given as JSON string or object; undefined if unreadable. */
export function statements(doc: unknown): Statement[] | undefined {
  const parsed = parseJson(doc);
  if (!isRecord(parsed)) return undefined;
  return asArray<unknown>(parsed.Statement).filter(isRecord) as Statement[];
}

export const tagsOf = (props: Props): Props => {
  const tags = known(() => props.tags);
  return isRecord(tags) ? tags : {};
};

/** Last segment of a URN (`...::name`) or ARN (`...:role/name`, `...:name`). */
export function lastSegment(ref: string): string {
  return ref.split(/::|[:/]/).pop() ?? ref;
}

export function byType(resources: PolicyResource[], ...types: string[]): PolicyResource[] {
  return resources.filter((r) => types.includes(r.type));
}

export function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** A boolean input as programs and plans spell it: `true` or the string "true" (launch templates use strings). */
export const truthy = (v: unknown): boolean => v === true || v === "true";

/** An input explicitly set off: `false` or "false" (unset is neither truthy nor falsy). */
export const falsy = (v: unknown): boolean => v === false || v === "false";
