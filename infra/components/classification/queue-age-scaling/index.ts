/**
 * Scales the worker service on how old the oldest waiting photo is (ApproximateAgeOfOldestMessage):
 * one more task per alarm while photos wait longer than the scale-out age, one fewer while the
 * queue stays young, so every photo is judged within the SLO.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ecsServiceScalingTarget, type EcsServiceScalingTargetArgs } from "../../blocks/ecs-service-scaling-target";

/** The service's scaling target (cluster, service, task bounds), and the queue whose age drives it. */
export interface QueueAgeScalingArgs extends EcsServiceScalingTargetArgs {
  queueName: pulumi.Input<string>;
  /** Add tasks while the oldest message is older than this (a fraction of the SLO). */
  scaleOutAgeSeconds: number;
  /** Remove tasks while the oldest message stays younger than this. */
  scaleInAgeSeconds: number;
  stepTasks: number;
  cooldownSeconds: number;
  /** Evaluation periods (60 s each) before scaling in: slower in than out. */
  scaleInPeriods: number;
}

export class QueueAgeScaling extends pulumi.ComponentResource {
  readonly scaleOutAlarm: aws.cloudwatch.MetricAlarm;
  readonly scaleInAlarm: aws.cloudwatch.MetricAlarm;

  constructor(name: string, args: QueueAgeScalingArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:classification:QueueAgeScaling", name, {}, opts);
    const child = { parent: this };
    const target = ecsServiceScalingTarget(name, args, this);
    const step = (direction: "out" | "in", adjustment: number) =>
      new aws.appautoscaling.Policy(
        `${name}-${direction}`,
        {
          policyType: "StepScaling",
          resourceId: target.resourceId,
          scalableDimension: target.scalableDimension,
          serviceNamespace: target.serviceNamespace,
          stepScalingPolicyConfiguration: {
            adjustmentType: "ChangeInCapacity",
            cooldown: args.cooldownSeconds,
            metricAggregationType: "Maximum",
            stepAdjustments:
              direction === "out"
                ? [{ metricIntervalLowerBound: "0", scalingAdjustment: adjustment }]
                : [{ metricIntervalUpperBound: "0", scalingAdjustment: adjustment }],
          },
        },
        child,
      );
    const out = step("out", args.stepTasks);
    const inn = step("in", -args.stepTasks);
    const alarm = (
      direction: "out" | "in",
      threshold: number,
      operator: string,
      periods: number,
      policy: aws.appautoscaling.Policy,
    ) =>
      new aws.cloudwatch.MetricAlarm(
        `${name}-${direction}`,
        {
          namespace: "AWS/SQS",
          metricName: "ApproximateAgeOfOldestMessage",
          dimensions: { QueueName: args.queueName },
          statistic: "Maximum",
          period: 60,
          evaluationPeriods: periods,
          threshold,
          comparisonOperator: operator,
          // No data means no messages: nothing waits, so it counts as young.
          treatMissingData: direction === "in" ? "breaching" : "notBreaching",
          alarmActions: [policy.arn],
          alarmDescription: `Scale ${direction} the photo workers on queue age`,
        },
        child,
      );
    this.scaleOutAlarm = alarm("out", args.scaleOutAgeSeconds, "GreaterThanThreshold", 1, out);
    this.scaleInAlarm = alarm("in", args.scaleInAgeSeconds, "LessThanThreshold", args.scaleInPeriods, inn);
    this.registerOutputs({});
  }
}
