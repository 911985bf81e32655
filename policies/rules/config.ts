/**
 * AWS Config: the recorder records every supported resource type (`config-records-all-resources`)
 * and is switched on (`config-recording-enabled`): a RecorderStatus with isEnabled true names
 * every recorder of the stack, and none says false.
 */
import type { StackValidationPolicy } from "@pulumi/policy";
import { linkedTargets } from "./links";
import { asArray, byType, isRecord, perResource, type Props } from "./util";

const RECORDER = "aws:cfg/recorder:Recorder";
const STATUS = "aws:cfg/recorderStatus:RecorderStatus";

export const configPolicies: StackValidationPolicy[] = [
  {
    name: "config-records-all-resources",
    description:
      "AWS Config recorders record all supported resource types (recordingGroup.allSupported, no exclusions).",
    validateStack: (args, report) => {
      for (const r of byType(args.resources, RECORDER)) {
        perResource(report, r.urn, () => {
          const group = (r.props as Props).recordingGroup;
          if (group === undefined) return; // AWS's default: all supported types.
          const g = isRecord(group) ? group : {};
          if (g.allSupported !== true) report("recordingGroup.allSupported must be true", r.urn);
          const strategy = isRecord(g.recordingStrategies) ? g.recordingStrategies : undefined;
          const exclusions = asArray<unknown>(g.exclusionByResourceTypes).filter(isRecord);
          if (
            exclusions.some((e) => asArray(e.resourceTypes).length > 0) ||
            asArray<unknown>(g.recordingStrategies)
              .filter(isRecord)
              .concat(strategy ? [strategy] : [])
              .some((s) => s.useOnly === "EXCLUSION_BY_RESOURCE_TYPES")
          )
            report("recordingGroup excludes resource types", r.urn);
        });
      }
    },
  },
  {
    name: "config-recording-enabled",
    description:
      "Every AWS Config recorder is started by a RecorderStatus with isEnabled true; no RecorderStatus stops one.",
    validateStack: (args, report) => {
      const statuses = byType(args.resources, STATUS);
      for (const s of statuses) {
        perResource(report, s.urn, () => {
          if ((s.props as Props).isEnabled !== true) report("isEnabled is not true: the recorder is stopped", s.urn);
        });
      }
      for (const r of byType(args.resources, RECORDER)) {
        perResource(report, r.urn, () => {
          // A recorder without a name input is called "default" (AWS's and the provider's default).
          const unnamed = (r.props as Props).name === undefined;
          const started = statuses.some(
            (s) =>
              (s.props as Props).isEnabled === true &&
              (linkedTargets(s, "name", [r]).length > 0 || (unnamed && (s.props as Props).name === "default")),
          );
          if (!started)
            report("no aws:cfg/recorderStatus:RecorderStatus with isEnabled true names this recorder", r.urn);
        });
      }
    },
  },
];
