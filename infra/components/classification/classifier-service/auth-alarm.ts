/**
 * The alarm for a worker whose token the photo API refuses (401/403). The worker parks each such
 * message on the DLQ with the reason instead of retrying, so nothing storms; what is left is to
 * tell someone, because every photo after that goes to the DLQ too until the token is fixed.
 *
 * The metric comes from the worker's own log line (API_AUTH_REFUSED_EVENT), counted by a metric
 * filter on its log group: that is what exists in production. The worker's Prometheus counter is
 * not scraped into CloudWatch on ECS (no collector runs beside it), and the DLQ's depth counts
 * every permanent failure (an unreadable upload too), so an alarm on it could not say why.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { API_AUTH_REFUSED_EVENT } from "../../../../workloads/photo-classification/worker/config";

/** Where the filter publishes its count. */
export const WORKER_METRICS_NAMESPACE = "MLPlatform/PhotoWorker";
export const AUTH_REFUSED_METRIC = "ApiAuthRefused";

export function workerAuthAlarm(
  name: string,
  logGroupName: pulumi.Input<string>,
  opts: pulumi.CustomResourceOptions,
): aws.cloudwatch.MetricAlarm {
  new aws.cloudwatch.LogMetricFilter(
    `${name}-auth-refused`,
    {
      logGroupName,
      pattern: `{ $.event = "${API_AUTH_REFUSED_EVENT}" }`,
      metricTransformation: {
        namespace: WORKER_METRICS_NAMESPACE,
        name: AUTH_REFUSED_METRIC,
        value: "1",
        unit: "Count",
      },
    },
    opts,
  );
  return new aws.cloudwatch.MetricAlarm(
    `${name}-auth-refused`,
    {
      alarmDescription:
        "The photo API refuses the workers' token (401/403): every photo goes to the DLQ with that reason until the " +
        "token secret is fixed; then redrive the DLQ",
      namespace: WORKER_METRICS_NAMESPACE,
      metricName: AUTH_REFUSED_METRIC,
      statistic: "Sum",
      period: 60,
      evaluationPeriods: 1,
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      // No refusals logged is the normal state, not missing data.
      treatMissingData: "notBreaching",
    },
    opts,
  );
}
