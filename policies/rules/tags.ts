/**
 * Required tags (advisory) on every taggable AWS resource.
 *
 * "Taggable" is decided from @pulumi/aws itself: a resource is taggable when its SDK class accepts
 * a `tags` input (its constructor copies `args.tags` into the registered inputs), so no hand-kept
 * list drifts from the provider. Unknown types fall back to "has a tags input".
 *
 * Provider default tags count: the plan does not record which provider each resource uses, so a
 * key set in `defaultTags.tags` on EVERY `pulumi:providers:aws` resource of the stack is treated
 * as present on all the stack's AWS resources. A stack with no explicit AWS provider gets no credit.
 */
import type { StackValidationPolicy } from "@pulumi/policy";
import { isRecord, known, parseJson, str, tagsOf, type Props } from "./util";

export interface RequiredTagsConfig {
  requiredTags: string[];
}

const taggableCache = new Map<string, boolean>();

/** Whether the @pulumi/aws class for `aws:<module>/<x>:<Class>` takes a tags input; undefined if no such class. */
export function sdkTakesTags(type: string): boolean | undefined {
  if (taggableCache.has(type)) return taggableCache.get(type);
  const m = /^aws:([a-zA-Z0-9]+)\/[^:]+:([A-Za-z0-9]+)$/.exec(type);
  let result: boolean | undefined;
  if (m) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const aws = require("@pulumi/aws") as Record<string, Record<string, unknown> | undefined>;
      const cls = aws[m[1]]?.[m[2]];
      if (typeof cls === "function") result = cls.toString().includes('resourceInputs["tags"]');
    } catch {
      result = undefined;
    }
  }
  taggableCache.set(type, result as boolean);
  return result;
}

export function isTaggable(type: string, props: Props): boolean {
  if (!type.startsWith("aws:")) return false;
  return sdkTakesTags(type) ?? known(() => props.tags) !== undefined;
}

function tagKeysWithValues(tags: Props): Set<string> {
  return new Set(
    Object.entries(tags)
      .filter(([, v]) => str(v) !== undefined)
      .map(([k]) => k),
  );
}

export const tagPolicies: StackValidationPolicy[] = [
  {
    name: "required-tags",
    description:
      "Every taggable AWS resource carries the required tags (directly or through the AWS provider's defaultTags).",
    enforcementLevel: "advisory",
    configSchema: {
      properties: {
        requiredTags: {
          type: "array",
          items: { type: "string" },
          default: ["Owner", "Project"],
          description: "Tag keys every taggable AWS resource must carry with a non-empty value.",
        },
      },
    },
    validateStack: (args, report) => {
      const { requiredTags } = args.getConfig<RequiredTagsConfig>();
      const providers = args.resources.filter((r) => r.type === "pulumi:providers:aws");
      const fromProviders = new Set<string>(requiredTags);
      if (providers.length === 0) fromProviders.clear();
      for (const p of providers) {
        // The engine hands provider inputs over as JSON strings; the offline plan as objects.
        const defaults = parseJson(known(() => (p.props as Props).defaultTags));
        const tags = isRecord(defaults) ? parseJson(known(() => defaults.tags)) : undefined;
        const keys = isRecord(tags) ? tagKeysWithValues(tags) : new Set<string>();
        for (const k of [...fromProviders]) if (!keys.has(k)) fromProviders.delete(k);
      }
      for (const r of args.resources) {
        const props = r.props as Props;
        if (!isTaggable(r.type, props)) continue;
        const own = tagKeysWithValues(tagsOf(props));
        const missing = requiredTags.filter((k) => !own.has(k) && !fromProviders.has(k));
        if (missing.length > 0) report(`missing tag(s) ${missing.join(", ")}`, r.urn);
      }
    },
  },
];
