/**
 * Runs a loaded pack over plan files the way the Pulumi engine's analyzer calls would: every
 * resource policy on every resource (the `analyze` RPC), then every stack policy once per stack
 * (`analyzeStack`). The CLI and every policy test go through `evaluatePlans`.
 */
import type {
  EnforcementLevel,
  Policy,
  PolicyResource,
  PolicyResourceOptions,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { resolvePolicyConfig, type PackConfig } from "./config";
import type { LoadedPack } from "./load-pack";
import type { PlanFile, PlanResource } from "./plan-files";

/**
 * The SDK's unknown-value machinery (marked internal, so untyped): the same proxy the engine's
 * analyzer wraps props in, so a policy reading a value only known after deployment behaves as in
 * `pulumi preview` (an advisory "can't run during preview" note, not a pass or a crash).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const proxy = require("@pulumi/policy/proxy") as {
  unknownCheckingProxy<T>(v: T): T;
  unknownStringValue: string;
  UnknownValueError: new (...args: unknown[]) => Error;
};
const { unknownCheckingProxy, unknownStringValue, UnknownValueError } = proxy;

/** Violation details a policy may pass instead of a message (runtime supports it; typings don't say). */
interface ViolationInfo {
  name?: string;
  message?: string;
  description?: string;
  urn?: string;
  enforcementLevel?: EnforcementLevel;
}

/** The plan writer's marker for values only known after deployment. */
export const COMPUTED = "<computed>";

export interface Violation {
  stack: string;
  /** The resource the violation is about; a stack policy may report none. */
  urn?: string;
  policy: string;
  pack: string;
  enforcementLevel: "advisory" | "mandatory";
  message: string;
}

class NotApplicableError extends Error {}

function throwNotApplicable(reason?: string): never {
  throw new NotApplicableError(reason ?? "not applicable");
}

/** The pack's `__pulumiType` tag on `validateResourceOfType` helpers, used as the engine does for fast skipping. */
function pulumiTypeOf(fn: unknown): string | undefined {
  const t = (fn as { __pulumiType?: unknown } | undefined)?.__pulumiType;
  return typeof t === "string" && t !== "" ? t : undefined;
}

function isTypeOf(type: string, resourceClass: unknown): boolean {
  const tagged = pulumiTypeOf(resourceClass);
  if (tagged) return type === tagged;
  const isInstance = (resourceClass as { isInstance?: unknown }).isInstance;
  return typeof isInstance === "function" && isInstance({ __pulumiType: type }) === true;
}

/** Plan JSON → engine-like props: computed markers become the SDK's unknown sentinel, so policies see them as unknown. */
function toProps(value: unknown): unknown {
  if (value === COMPUTED) return unknownStringValue;
  if (Array.isArray(value)) return value.map(toProps);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toProps(v)]));
  }
  return value;
}

function options(r: PlanResource): PolicyResourceOptions {
  return {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
    ...(r.parent ? { parent: r.parent } : {}),
  };
}

/**
 * A plan resource as the engine shows it to a policy, the same in `analyze` (a resource policy's
 * args) and in `analyzeStack` (each of a stack policy's resources): props behind the
 * unknown-checking proxy, `isType`/`asType` by type token.
 */
function engineView(r: PlanResource, props: Record<string, unknown>) {
  const proxied = unknownCheckingProxy(props);
  const asType = (cls: unknown) => (isTypeOf(r.type, cls) ? proxied : undefined);
  return {
    type: r.type,
    props: proxied,
    urn: r.urn,
    name: r.name,
    opts: options(r),
    isType: (cls: unknown) => isTypeOf(r.type, cls),
    // One function at runtime; the SDK types the two calls' asType apart.
    asType: asType as ResourceValidationArgs["asType"] & PolicyResource["asType"],
  };
}

type Level = EnforcementLevel;

function effective(level: Level): "advisory" | "mandatory" | undefined {
  if (level === "disabled") return undefined;
  return level === "advisory" ? "advisory" : "mandatory";
}

function collector(
  out: Violation[],
  stack: string,
  pack: string,
  policy: Policy,
  level: "advisory" | "mandatory",
  defaultUrn?: string,
): ReportViolation {
  return (raw: string | ViolationInfo, urn?: string) => {
    if (typeof raw === "object" && raw !== null) {
      const message = raw;
      const lvl = message.enforcementLevel ? effective(message.enforcementLevel) : level;
      if (!lvl) return;
      out.push({
        stack,
        urn: message.urn ?? urn ?? defaultUrn,
        policy: message.name ?? policy.name,
        pack,
        enforcementLevel: lvl,
        message: message.message ?? message.description ?? policy.description,
      });
      return;
    }
    out.push({
      stack,
      urn: urn ?? defaultUrn,
      policy: policy.name,
      pack,
      enforcementLevel: level,
      message: raw || policy.description,
    });
  };
}

async function guarded(run: () => unknown, onUnknown: (e: Error) => void, context: string): Promise<void> {
  try {
    await Promise.resolve(run());
  } catch (e) {
    if (e instanceof NotApplicableError) return;
    if (e instanceof UnknownValueError) {
      onUnknown(e as Error);
      return;
    }
    throw new Error(`${context} threw: ${(e as Error).stack ?? e}`);
  }
}

function isResourcePolicy(p: Policy): p is ResourceValidationPolicy {
  return (
    typeof (p as ResourceValidationPolicy).validateResource === "function" ||
    Array.isArray((p as ResourceValidationPolicy).validateResource)
  );
}

function isStackPolicy(p: Policy): p is StackValidationPolicy {
  return typeof (p as StackValidationPolicy).validateStack === "function";
}

async function evaluateStack(pack: LoadedPack, plan: PlanFile, config: PackConfig, out: Violation[]): Promise<void> {
  const stackTags: ReadonlyMap<string, string> = new Map();
  const props = new Map(plan.resources.map((r) => [r.urn, toProps(r.inputs) as Record<string, unknown>]));
  for (const policy of pack.policies) {
    const resolved = resolvePolicyConfig(pack, policy, config);
    const level = effective(resolved.enforcementLevel);
    if (!level) continue;
    const getConfig = <T extends object>(): T => structuredClone(resolved.properties) as T;
    const unknownNote = (urn?: string) => (e: Error) =>
      out.push({
        stack: plan.stack,
        urn,
        policy: policy.name,
        pack: pack.name,
        enforcementLevel: "advisory",
        message: `can't run policy during preview: ${e.message}`,
      });

    if (isResourcePolicy(policy) && policy.validateResource) {
      const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
      for (const r of plan.resources) {
        const report = collector(out, plan.stack, pack.name, policy, level, r.urn);
        for (const validate of validations) {
          const only = pulumiTypeOf(validate);
          if (only && only !== r.type) continue;
          const args: ResourceValidationArgs = {
            ...engineView(r, props.get(r.urn) ?? {}),
            stackTags,
            getConfig,
            notApplicable: throwNotApplicable,
          };
          await guarded(() => validate(args, report), unknownNote(r.urn), `policy ${policy.name} on ${r.urn}`);
        }
      }
    }

    if (isStackPolicy(policy)) {
      const only = pulumiTypeOf(policy.validateStack);
      if (only && !plan.resources.some((r) => r.type === only)) continue;
      const byUrn = new Map<string, PolicyResource>();
      const resources: PolicyResource[] = plan.resources.map((r) => {
        const res: PolicyResource = {
          ...engineView(r, props.get(r.urn) ?? {}),
          dependencies: [],
          propertyDependencies: {},
        };
        byUrn.set(r.urn, res);
        return res;
      });
      plan.resources.forEach((r, i) => {
        const parent = r.parent ? byUrn.get(r.parent) : undefined;
        if (parent) resources[i].parent = parent;
        resources[i].dependencies = r.dependencies
          .map((d) => byUrn.get(d))
          .filter((d): d is PolicyResource => d !== undefined);
      });
      const args: StackValidationArgs = { resources, getConfig, stackTags, notApplicable: throwNotApplicable };
      const report = collector(out, plan.stack, pack.name, policy, level);
      await guarded(
        () => policy.validateStack(args, report),
        unknownNote(),
        `stack policy ${policy.name} on stack ${plan.stack}`,
      );
    }
  }
}

export async function evaluatePlans(
  pack: LoadedPack,
  plans: PlanFile[],
  config: PackConfig = {},
): Promise<Violation[]> {
  const out: Violation[] = [];
  for (const plan of plans) await evaluateStack(pack, plan, config, out);
  return out;
}

export function formatViolation(v: Violation): string {
  return `[${v.enforcementLevel}] ${v.stack} / ${v.urn ?? "(stack)"} / ${v.policy} / ${v.message.replace(/\s*\n\s*/g, " ")}`;
}
