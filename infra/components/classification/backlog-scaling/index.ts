/**
 * Scales the worker service by target tracking on backlog per task, as AWS recommends for queue
 * workers: visible messages ÷ running tasks (metric math over SQS ApproximateNumberOfMessagesVisible
 * and Container Insights' RunningTaskCount), held at a target = acceptable queueing time ÷ time per
 * photo. Application Auto Scaling owns the alarms (3 one-minute datapoints to scale out, 15 to scale
 * in). Optional daily floors raise the minimum before a peak everyone can predict (scheduled actions).
 * Chosen over queue-age steps by the fleet simulator (scripts/simulate/, README "Scaling the GPU workers").
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ecsServiceScalingTarget, type EcsServiceScalingTargetArgs } from "../../blocks/ecs-service-scaling-target";

/** The service's scaling target (cluster, service, task bounds), and the queue whose backlog drives it. */
export interface BacklogScalingArgs extends EcsServiceScalingTargetArgs {
  /** Fewest tasks, at least 1: with none running backlog per task has no datapoint. */
  minTasks: number;
  queueName: pulumi.Input<string>;
  /** Visible photos per running task to hold the fleet at. */
  targetBacklogPerTask: number;
  /** s after a scale-out before the next. */
  scaleOutCooldownSeconds: number;
  /** s after a scale-in before the next. */
  scaleInCooldownSeconds: number;
  /** Daily minimum floors: from `atUtc` (HH:MM, UTC) the minimum is `minTasks` until the next entry. */
  schedule: { atUtc: string; minTasks: number }[];
}

export class BacklogScaling extends pulumi.ComponentResource {
  readonly policy: aws.appautoscaling.Policy;

  constructor(name: string, args: BacklogScalingArgs, opts?: pulumi.ComponentResourceOptions) {
    // Aliased to the queue-age component of the same name: the scalable target moves rather than
    // being created anew and the old one deleted, which would deregister the service's scaling.
    super(
      "ml-platform:classification:BacklogScaling",
      name,
      {},
      {
        ...opts,
        aliases: [...(opts?.aliases ?? []), { type: "ml-platform:classification:QueueAgeScaling" }],
      },
    );
    if (args.minTasks < 1) throw new Error(`BacklogScaling ${name}: minTasks must be at least 1`);
    const child = { parent: this };
    const target = ecsServiceScalingTarget(name, args, this);
    const stat = (
      id: string,
      namespace: string,
      metricName: string,
      dimensions: Record<string, pulumi.Input<string>>,
    ) => ({
      id,
      returnData: false,
      metricStat: {
        stat: "Average",
        metric: {
          namespace,
          metricName,
          dimensions: Object.entries(dimensions).map(([dimension, value]) => ({ name: dimension, value })),
        },
      },
    });
    this.policy = new aws.appautoscaling.Policy(
      `${name}-backlog`,
      {
        policyType: "TargetTrackingScaling",
        resourceId: target.resourceId,
        scalableDimension: target.scalableDimension,
        serviceNamespace: target.serviceNamespace,
        targetTrackingScalingPolicyConfiguration: {
          targetValue: args.targetBacklogPerTask,
          scaleOutCooldown: args.scaleOutCooldownSeconds,
          scaleInCooldown: args.scaleInCooldownSeconds,
          customizedMetricSpecification: {
            metrics: [
              stat("visible", "AWS/SQS", "ApproximateNumberOfMessagesVisible", { QueueName: args.queueName }),
              stat("running", "ECS/ContainerInsights", "RunningTaskCount", {
                ClusterName: args.clusterName,
                ServiceName: args.serviceName,
              }),
              {
                id: "backlogPerTask",
                label: "Visible photos per running task",
                expression: "visible / running",
                returnData: true,
              },
            ],
          },
        },
      },
      child,
    );
    for (const floor of args.schedule) {
      const [hour, minute] = floor.atUtc.split(":").map(Number);
      new aws.appautoscaling.ScheduledAction(
        `${name}-floor-${floor.atUtc.replace(":", "")}`,
        {
          resourceId: target.resourceId,
          scalableDimension: target.scalableDimension,
          serviceNamespace: target.serviceNamespace,
          schedule: `cron(${minute} ${hour} * * ? *)`,
          timezone: "UTC",
          scalableTargetAction: { minCapacity: floor.minTasks },
        },
        child,
      );
    }
    this.registerOutputs({});
  }
}
