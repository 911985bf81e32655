/**
 * The Application Auto Scaling target of an ECS service's desired count: what every scaling policy
 * of the service (step or target tracking, scheduled floors) attaches to. One per service.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface EcsServiceScalingTargetArgs {
  clusterName: pulumi.Input<string>;
  serviceName: pulumi.Input<string>;
  /** Fewest tasks Application Auto Scaling sets (a scheduled action may raise it for a while). */
  minTasks: number;
  maxTasks: number;
}

export function ecsServiceScalingTarget(
  name: string,
  args: EcsServiceScalingTargetArgs,
  parent: pulumi.Resource,
): aws.appautoscaling.Target {
  return new aws.appautoscaling.Target(
    name,
    {
      serviceNamespace: "ecs",
      scalableDimension: "ecs:service:DesiredCount",
      resourceId: pulumi.interpolate`service/${args.clusterName}/${args.serviceName}`,
      minCapacity: args.minTasks,
      maxCapacity: args.maxTasks,
    },
    { parent },
  );
}
