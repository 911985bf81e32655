/**
 * Which resource a companion resource really configures. A bucket policy, a role policy or a
 * function URL names its target by an input (`bucket`, `role`, `functionName`): the name, id or
 * ARN the target has in the plan. The link holds when that input is
 * - the target's own physical name input (or an ARN ending in it), or
 * - unknown during preview, and the companion depends on the target, or
 * - the auto-name Pulumi gives a target without a name input (`<logical name>-<7 hex>`, or its
 *   name-prefix input followed by anything), and the companion depends on the target.
 * A logical name alone never links: two stacks may each have a `research-admin` and a string is
 * not a reference.
 */
import { known, str, type Props } from "./util";

/** What linking needs of a resource (a `PolicyResource` has it; resource policies build one). */
/** A resource's parent, and its parent's, up to the stack (a stack policy's resources carry them). */
export interface ParentLink {
  type: string;
  parent?: ParentLink;
}

export interface Linkable {
  type: string;
  urn: string;
  name: string;
  props: Record<string, unknown>;
  dependencies: { urn: string }[];
  parent?: ParentLink;
}

/** The name inside an ARN: `arn:aws:s3:::b` → `b`, `…:role/path/r` → `r`, `…:function:f[:qualifier]` → `f`. */
export function nameInArn(ref: string): string {
  if (!ref.startsWith("arn:")) return ref;
  const fn = /:function:([^:]+)/.exec(ref);
  if (fn) return fn[1];
  const resource = ref.split(":").slice(5).join(":");
  return resource.split(/[/:]/).pop() ?? resource;
}

export interface NameInputs {
  /** Input holding the physical name (`bucket`, `name`). */
  name: string;
  /** Input holding a name prefix (`bucketPrefix`, `namePrefix`). */
  prefix?: string;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function answersTo(target: Linkable, ref: string, keys: NameInputs, byDependency: boolean): boolean {
  const props = target.props as Props;
  const name = known(() => str(props[keys.name]));
  const candidates = [ref, nameInArn(ref)];
  if (name !== undefined) return candidates.includes(name);
  if (!byDependency) return false;
  const prefix = keys.prefix ? known(() => str(props[keys.prefix as string])) : undefined;
  if (prefix !== undefined) return candidates.some((c) => c.startsWith(prefix));
  const auto = new RegExp(`^${escape(target.name)}-[0-9a-f]{7}$`);
  return candidates.some((c) => auto.test(c));
}

/** Targets among `candidates` that `referrer` names by its `refInput`. */
export function linkedTargets<T extends Linkable>(
  referrer: Linkable,
  refInput: string,
  candidates: T[],
  keys: NameInputs = { name: "name", prefix: "namePrefix" },
): T[] {
  const deps = new Set(referrer.dependencies.map((d) => d.urn));
  const raw = known(() => (referrer.props as Props)[refInput]);
  if (raw === undefined) return candidates.filter((c) => deps.has(c.urn));
  const ref = str(raw);
  if (ref === undefined) return [];
  return candidates.filter((c) => answersTo(c, ref, keys, deps.has(c.urn)));
}

/**
 * The component types a resource sits in, outermost first: from its parent links where the
 * resource carries them, else from its URN's qualified type (`Outer$Inner$aws:…`). Both, because
 * a URN names the whole chain only where the engine builds it: the SDK's mocks keep the parent's
 * own type alone, so a block inside a component would hide the component.
 */
export function componentTypes(r: { urn: string; parent?: ParentLink }): string[] {
  const fromParents: string[] = [];
  for (let p = r.parent; p; p = p.parent) fromParents.unshift(p.type);
  const fromUrn = (r.urn.split("::")[2] ?? "").split("$").slice(0, -1);
  return [...new Set([...fromParents, ...fromUrn])];
}
