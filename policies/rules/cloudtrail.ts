/**
 * CloudTrail: one trail sees every region, its files can be proven untouched and are
 * KMS-encrypted (`cloudtrail-hardened`); and it actually records: logging on, management events
 * (reads and writes, from every source) selected (`cloudtrail-logging-complete`).
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { asArray, forTypes, isRecord, str, type Props } from "./util";

const TRAIL = "aws:cloudtrail/trail:Trail";

/** Whether basic event selectors keep every management event (AWS's default when none are given). */
function basicSelectorsProblem(selectors: Props[]): string | undefined {
  if (selectors.length === 0) return undefined;
  const complete = selectors.some(
    (s) =>
      s.includeManagementEvents !== false &&
      (s.readWriteType === undefined || s.readWriteType === "All") &&
      asArray(s.excludeManagementEventSources).length === 0,
  );
  return complete
    ? undefined
    : "eventSelectors exclude management events (includeManagementEvents false, readWriteType not All, or excludeManagementEventSources set)";
}

/** Whether advanced selectors keep every management event: one selector on eventCategory = Management, unfiltered. */
function advancedSelectorsProblem(selectors: Props[]): string | undefined {
  if (selectors.length === 0) return undefined;
  const complete = selectors.some((s) => {
    const fields = asArray<unknown>(s.fieldSelectors).filter(isRecord);
    const category = fields.find((f) => f.field === "eventCategory");
    if (!category || !asArray(category.equals).includes("Management")) return false;
    // Any other field (readOnly, eventSource) narrows the management events recorded.
    return fields.every((f) => f === category);
  });
  return complete
    ? undefined
    : "advancedEventSelectors do not select every management event (need eventCategory = Management with no readOnly / eventSource filter)";
}

export const cloudtrailPolicies: ResourceValidationPolicy[] = [
  {
    name: "cloudtrail-hardened",
    description: "CloudTrail trails are multi-region, validate log files, and encrypt with a KMS key.",
    validateResource: forTypes([TRAIL], (props, _args, report) => {
      if (props.isMultiRegionTrail !== true) report("isMultiRegionTrail must be true");
      if (props.enableLogFileValidation !== true) report("enableLogFileValidation must be true");
      if (!str(props.kmsKeyId)) report("kmsKeyId must name a KMS key");
    }),
  },
  {
    name: "cloudtrail-logging-complete",
    description:
      "CloudTrail trails log (enableLogging not false) and record every management event (no selector excludes them).",
    validateResource: forTypes([TRAIL], (props, _args, report) => {
      if (props.enableLogging === false) report("enableLogging is false: the trail records nothing");
      const problem =
        basicSelectorsProblem(asArray<unknown>(props.eventSelectors).filter(isRecord)) ??
        advancedSelectorsProblem(asArray<unknown>(props.advancedEventSelectors).filter(isRecord));
      if (problem) report(problem);
    }),
  },
];
