/**
 * SQS queues: encrypted, and every queue that is not itself a dead-letter queue redrives to one
 * with a bounded maxReceiveCount. A queue is a DLQ when another queue in the stack names it as
 * deadLetterTargetArn, or when it is tagged `ml-platform:purpose = dead-letter`.
 */
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { byType, forTypes, isRecord, known, lastSegment, parseJson, str, tagsOf, type Props } from "./util";
import { PURPOSE, TAG } from "../../workloads/shared/conventions";

const QUEUE = "aws:sqs/queue:Queue";
const REDRIVE = "aws:sqs/redrivePolicy:RedrivePolicy";
export const DLQ_TAG = { key: TAG.purpose, value: PURPOSE.deadLetter };

export interface RedriveConfig {
  maxReceiveCount: number;
}

/** A redrive policy that exists but is only known after deployment: the queue has a DLQ we cannot inspect. */
const UNKNOWN = Symbol("unknown redrivePolicy");

function redriveOf(q: PolicyResource, all: PolicyResource[]): unknown {
  const props = q.props as Props;
  const own = known(() => props.redrivePolicy ?? null);
  if (own === undefined) return UNKNOWN;
  if (own !== null) return own;
  const names = queueNames(q);
  const separate = byType(all, REDRIVE).find((r) => {
    const url = known(() => str((r.props as Props).queueUrl));
    return (url !== undefined && names.has(lastSegment(url))) || r.dependencies.some((d) => d.urn === q.urn);
  });
  return separate ? (separate.props as Props).redrivePolicy : undefined;
}

function queueNames(q: PolicyResource): Set<string> {
  return new Set([q.name, known(() => str((q.props as Props).name))].filter((x): x is string => !!x));
}

function deadLetterTarget(redrive: unknown): string | undefined {
  const parsed = parseJson(redrive);
  return isRecord(parsed) ? known(() => str(parsed.deadLetterTargetArn)) : undefined;
}

export const sqsPolicies: (ResourceValidationPolicy | StackValidationPolicy)[] = [
  {
    name: "sqs-encrypted",
    description: "SQS queues are encrypted at rest (SSE-SQS or a KMS key).",
    validateResource: forTypes([QUEUE], (props, _args, report) => {
      if (props.sqsManagedSseEnabled !== true && !str(props.kmsMasterKeyId))
        report("set sqsManagedSseEnabled: true or kmsMasterKeyId");
    }),
  },
  {
    name: "sqs-dead-letter-queue",
    description:
      "SQS queues that are not dead-letter queues have a redrivePolicy to a DLQ with maxReceiveCount between 1 and the configured maximum.",
    configSchema: {
      properties: {
        maxReceiveCount: {
          type: "integer",
          minimum: 1,
          default: 10,
          description: "Largest maxReceiveCount allowed before a message goes to the DLQ.",
        },
      },
    },
    validateStack: (args, report) => {
      const { maxReceiveCount: max } = args.getConfig<RedriveConfig>();
      const queues = byType(args.resources, QUEUE);
      const redrives = new Map(queues.map((q) => [q.urn, redriveOf(q, args.resources)]));
      const targets = new Set(
        [...redrives.values()]
          .map(deadLetterTarget)
          .filter((t): t is string => !!t)
          .map(lastSegment),
      );
      const isDlq = (q: PolicyResource) =>
        tagsOf(q.props as Props)[DLQ_TAG.key] === DLQ_TAG.value ||
        [...queueNames(q)].some((n) => targets.has(n)) ||
        queues.some(
          (other) =>
            other !== q && redrives.get(other.urn) !== undefined && other.dependencies.some((d) => d.urn === q.urn),
        );
      for (const q of queues) {
        if (isDlq(q)) continue;
        const raw = redrives.get(q.urn);
        if (raw === UNKNOWN) continue;
        const parsed = parseJson(raw);
        if (raw === undefined) {
          report("queue has no redrivePolicy (dead-letter queue)", q.urn);
        } else if (!isRecord(parsed) || !str(known(() => parsed.deadLetterTargetArn))) {
          report("redrivePolicy must be JSON with deadLetterTargetArn", q.urn);
        } else {
          const n = parsed.maxReceiveCount;
          if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > max)
            report(
              `redrivePolicy.maxReceiveCount must be an integer from 1 to ${max} (got ${JSON.stringify(n)})`,
              q.urn,
            );
        }
      }
    },
  },
];
