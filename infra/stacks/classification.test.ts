import { expect } from "chai";
import { createHash } from "node:crypto";
import { planStack, PlanError } from "../plan";
import { byUrn, jsonInput, one, ofType } from "../plan/query";
import type { PlannedResource, StackPlan } from "../plan/types";

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
}
const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

describe("classification stack (offline graph)", () => {
  let plan: StackPlan;
  before(async () => {
    plan = await planStack("classification");
  });

  const queue = () => one(plan, "aws:sqs/queue:Queue", "photos-queue");
  const dlq = () => one(plan, "aws:sqs/queue:Queue", "photos-dlq");
  const arnOf = (r: PlannedResource) => `arn:aws:sqs:us-east-1:111111111111:${r.name}-`;

  it("wires the upload bucket's ObjectCreated events under the prefix to the queue", () => {
    const notification = one(plan, "aws:s3/bucketNotification:BucketNotification");
    const bucket = one(plan, "aws:s3/bucket:Bucket", "photos");
    expect(notification.dependencies).to.include(bucket.urn);
    const [target] = notification.inputs.queues as Array<{ queueArn: string; events: string[]; filterPrefix: string }>;
    expect(target.queueArn.startsWith(arnOf(queue()))).to.equal(true);
    expect(target.events).to.deep.equal(["s3:ObjectCreated:*"]);
    expect(target.filterPrefix).to.equal("uploads/");
    const policy = jsonInput<{
      Statement: Array<{ Principal: { Service: string }; Condition: { ArnEquals: Record<string, string> } }>;
    }>(one(plan, "aws:sqs/queuePolicy:QueuePolicy"), "policy");
    expect(policy.Statement[0].Principal.Service).to.equal("s3.amazonaws.com");
    expect(policy.Statement[0].Condition.ArnEquals["aws:SourceArn"]).to.match(/^arn:aws:s3:::photos-[0-9a-f]{7}$/);
  });

  it("sends a photo that keeps failing to an encrypted DLQ after maxReceiveCount", async () => {
    const redrive = JSON.parse(queue().inputs.redrivePolicy as string) as {
      deadLetterTargetArn: string;
      maxReceiveCount: number;
    };
    expect(redrive.maxReceiveCount).to.equal(5);
    expect(redrive.deadLetterTargetArn.startsWith(arnOf(dlq()))).to.equal(true);
    for (const q of [queue(), dlq()]) expect(q.inputs.sqsManagedSseEnabled).to.equal(true);
    const changed = await planStack("classification", {
      config: { "ml-platform:queue": { visibilityTimeoutSeconds: 60, maxReceiveCount: 3 } },
    });
    const q = one(changed, "aws:sqs/queue:Queue", "photos-queue");
    expect(JSON.parse(q.inputs.redrivePolicy as string).maxReceiveCount).to.equal(3);
  });

  it("by default tracks backlog per running task (metric math), in place of the step component; floors are scheduled actions", async () => {
    const scaling = one(plan, "ml-platform:classification:BacklogScaling");
    expect(ofType(plan, "ml-platform:classification:QueueAgeScaling")).to.deep.equal([]);
    // No scaling alarms (target tracking makes its own); the one alarm left is the worker's 401/403 alarm.
    expect(ofType(plan, "aws:cloudwatch/metricAlarm:MetricAlarm").map((r) => r.name)).to.deep.equal([
      "classifier-auth-refused",
    ]);
    const target = one(plan, "aws:appautoscaling/target:Target");
    expect(target.parent).to.equal(scaling.urn);
    expect(target.inputs).to.include({ minCapacity: 4, maxCapacity: 10 });
    const policy = one(plan, "aws:appautoscaling/policy:Policy", "classifier-scaling-backlog");
    expect(policy.inputs.policyType).to.equal("TargetTrackingScaling");
    const tracking = policy.inputs.targetTrackingScalingPolicyConfiguration as {
      targetValue: number;
      scaleOutCooldown: number;
      scaleInCooldown: number;
      customizedMetricSpecification: {
        metrics: Array<{
          id: string;
          expression?: string;
          returnData: boolean;
          metricStat?: {
            stat: string;
            metric: { namespace: string; metricName: string; dimensions: Array<{ name: string; value: string }> };
          };
        }>;
      };
    };
    expect(tracking).to.include({ targetValue: 5000, scaleOutCooldown: 300, scaleInCooldown: 300 });
    const metrics = Object.fromEntries(tracking.customizedMetricSpecification.metrics.map((m) => [m.id, m]));
    expect(metrics.backlogPerTask).to.include({ expression: "visible / running", returnData: true });
    expect(metrics.visible.metricStat?.metric).to.include({
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
    });
    expect(metrics.visible.metricStat?.metric.dimensions[0].value).to.match(/^photos-queue-[0-9a-f]{7}$/);
    expect(metrics.running.metricStat?.metric).to.include({
      namespace: "ECS/ContainerInsights",
      metricName: "RunningTaskCount",
    });
    expect(metrics.running.metricStat?.metric.dimensions.map((d) => d.name)).to.deep.equal([
      "ClusterName",
      "ServiceName",
    ]);
    expect(metrics.running.returnData).to.equal(false);
    expect(ofType(plan, "aws:appautoscaling/scheduledAction:ScheduledAction")).to.deep.equal([]);

    const floored = await planStack("classification", {
      config: {
        "ml-platform:scaling": {
          policy: "backlog",
          targetBacklogPerTask: 500,
          minTasks: 1,
          maxTasks: 3,
          schedule: [
            { atUtc: "16:30", minTasks: 3 },
            { atUtc: "21:00", minTasks: 1 },
          ],
        },
      },
    });
    const t = one(floored, "aws:appautoscaling/policy:Policy").inputs.targetTrackingScalingPolicyConfiguration;
    expect(t).to.include({ targetValue: 500 });
    expect(one(floored, "aws:appautoscaling/target:Target").inputs).to.include({ minCapacity: 1, maxCapacity: 3 });
    const floors = ofType(floored, "aws:appautoscaling/scheduledAction:ScheduledAction").map((f) => [
      f.inputs.schedule,
      f.inputs.timezone,
      (f.inputs.scalableTargetAction as { minCapacity: number }).minCapacity,
    ]);
    expect(floors).to.have.deep.members([
      ["cron(30 16 * * ? *)", "UTC", 3],
      ["cron(0 21 * * ? *)", "UTC", 1],
    ]);
  });

  it("refuses a scaling config that mixes policies, floors over the maximum or a backlog fleet of none, naming the key", async () => {
    const problem = async (scaling: Record<string, unknown>) =>
      (
        (await planStack("classification", { config: { "ml-platform:scaling": scaling } }).catch(
          (e: Error) => e,
        )) as Error
      ).message;
    expect(await problem({ policy: "backlog", targetBacklogPerTask: 100, scaleOutAgeSeconds: 1800 })).to.contain(
      'ml-platform:scaling: Unrecognized key: "scaleOutAgeSeconds"',
    );
    expect(await problem({ policy: "backlog", targetBacklogPerTask: 100, minTasks: 0 })).to.contain(
      "ml-platform:scaling.minTasks: minTasks must be at least 1 for backlog scaling",
    );
    expect(
      await problem({ policy: "backlog", targetBacklogPerTask: 100, schedule: [{ atUtc: "16:00", minTasks: 12 }] }),
    ).to.contain("ml-platform:scaling.schedule.0.minTasks: a floor above maxTasks");
    expect(
      await problem({ policy: "backlog", targetBacklogPerTask: 100, schedule: [{ atUtc: "25:00", minTasks: 5 }] }),
    ).to.contain("ml-platform:scaling.schedule.0.atUtc: expected a UTC time of day such as 16:30");
    expect(await problem({ policy: "predictive", targetBacklogPerTask: 100 })).to.contain(
      'ml-platform:scaling.policy: expected policy "step" or "backlog"',
    );
  });

  it("with policy step, scales on the queue's ApproximateAgeOfOldestMessage with the configured thresholds", async () => {
    const step = await planStack("classification", {
      config: { "ml-platform:scaling": { policy: "step", scaleOutAgeSeconds: 1800, scaleInAgeSeconds: 300 } },
    });
    const alarms = (p: StackPlan) =>
      Object.fromEntries(
        ofType(p, "aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => [a.name.split("-").pop(), a.inputs]),
      );
    const a = alarms(step);
    for (const alarm of [a.out, a.in]) {
      expect(alarm).to.include({ namespace: "AWS/SQS", metricName: "ApproximateAgeOfOldestMessage" });
      expect((alarm.dimensions as { QueueName: string }).QueueName).to.match(/^photos-queue-[0-9a-f]{7}$/);
    }
    expect(a.out).to.include({ threshold: 1800, comparisonOperator: "GreaterThanThreshold" });
    expect(a.in).to.include({ threshold: 300, comparisonOperator: "LessThanThreshold" });
    const target = one(step, "aws:appautoscaling/target:Target").inputs;
    expect([target.minCapacity, target.maxCapacity]).to.deep.equal([4, 10]);
    const steps = ofType(step, "aws:appautoscaling/policy:Policy").map(
      (p) =>
        p.inputs.stepScalingPolicyConfiguration as {
          cooldown: number;
          stepAdjustments: Array<{ scalingAdjustment: number }>;
        },
    );
    expect(steps.map((s) => s.stepAdjustments[0].scalingAdjustment).sort()).to.deep.equal([-1, 1]);
    for (const s of steps) expect(s.cooldown).to.equal(300);

    // A config written before `policy` existed still means the step policy.
    const tighter = await planStack("classification", {
      config: {
        "ml-platform:scaling": {
          minTasks: 2,
          maxTasks: 6,
          sloSeconds: 900,
          scaleOutAgeSeconds: 600,
          scaleInAgeSeconds: 60,
        },
      },
    });
    const t = alarms(tighter);
    expect([t.out.threshold, t.in.threshold]).to.deep.equal([600, 60]);
    expect(one(tighter, "aws:appautoscaling/target:Target").inputs).to.include({ minCapacity: 2, maxCapacity: 6 });
  });

  it("alarms on the worker's logged 401/403 refusals, counted from its own log group", () => {
    const filter = one(plan, "aws:cloudwatch/logMetricFilter:LogMetricFilter");
    expect(filter.inputs.pattern).to.equal('{ $.event = "api-auth-refused" }');
    // On the worker's log group (the one its containers' awslogs driver writes to).
    expect(filter.dependencies).to.include(one(plan, "aws:cloudwatch/logGroup:LogGroup", "classifier-logs").urn);
    const transform = filter.inputs.metricTransformation as { namespace: string; name: string; value: string };
    const alarm = ofType(plan, "aws:cloudwatch/metricAlarm:MetricAlarm").find((a) => a.name.endsWith("-auth-refused"));
    expect(alarm?.inputs).to.deep.include({
      namespace: transform.namespace,
      metricName: transform.name,
      statistic: "Sum",
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
    });
  });

  it("runs every container unprivileged and as a non-root user; the worker gets a GPU", () => {
    for (const td of ofType(plan, "aws:ecs/taskDefinition:TaskDefinition")) {
      for (const c of jsonInput<
        Array<{
          name: string;
          user?: string;
          privileged?: boolean;
          resourceRequirements?: Array<{ type: string; value: string }>;
        }>
      >(td, "containerDefinitions")) {
        expect(c.privileged, c.name).to.equal(false);
        expect(c.user, c.name).to.match(/^[1-9]\d*:[1-9]\d*$/);
      }
    }
    const worker = jsonInput<Array<{ resourceRequirements: Array<{ type: string; value: string }> }>>(
      one(plan, "aws:ecs/taskDefinition:TaskDefinition", "classifier"),
      "containerDefinitions",
    );
    expect(worker[0].resourceRequirements).to.deep.equal([{ type: "GPU", value: "1" }]);
  });

  it("limits the worker's task role to the upload prefix, the queue and its DLQ (and the model object)", () => {
    const role = one(plan, "aws:iam/rolePolicy:RolePolicy", "classifier-task");
    const statements = jsonInput<{ Statement: Statement[] }>(role, "policy").Statement;
    const byAction = Object.fromEntries(
      statements.map((s) => [s.Sid, { actions: list(s.Action), resources: list(s.Resource) }]),
    );
    expect(byAction.ReadUploads.resources).to.have.length(1);
    expect(byAction.ReadUploads.resources[0]).to.match(/^arn:aws:s3:::photos-[0-9a-f]{7}\/uploads\/\*$/);
    expect(byAction.WorkQueue.actions).to.have.members([
      "sqs:ReceiveMessage",
      "sqs:DeleteMessage",
      "sqs:ChangeMessageVisibility",
      "sqs:GetQueueAttributes",
    ]);
    expect(byAction.WorkQueue.resources[0].startsWith(arnOf(queue()))).to.equal(true);
    expect(byAction.ParkUnreadable).to.deep.equal({
      actions: ["sqs:SendMessage"],
      resources: [byAction.ParkUnreadable.resources[0]],
    });
    expect(byAction.ParkUnreadable.resources[0].startsWith(arnOf(dlq()))).to.equal(true);
    expect(byAction.ReadModel.resources).to.deep.equal(["arn:aws:s3:::recipes-ml-models/food/food-classifier.onnx"]);
    const all = statements.flatMap((s) => [...list(s.Action), ...list(s.Resource)]);
    expect(all.filter((x) => x.includes("*") && !x.endsWith("/uploads/*"))).to.deep.equal([]);
    expect(statements.every((s) => s.Effect === "Allow")).to.equal(true);
    expect(Object.keys(byAction)).to.have.members(["ReadUploads", "WorkQueue", "ParkUnreadable", "ReadModel"]);
  });

  it("builds GPU instances from the AMI resolved from the configured Packer combination", async () => {
    const expected = (combination: string) =>
      `ami-${createHash("sha256").update(`/ml-platform/gpu-ami/${combination}`).digest("hex").slice(0, 17)}`;
    const lt = one(plan, "aws:ec2/launchTemplate:LaunchTemplate");
    expect(lt.inputs.imageId).to.equal(expected("al2023-ecs-driver550-cuda12.4-cudnn9"));
    expect(lt.inputs.metadataOptions).to.include({ httpTokens: "required" });
    const cp = one(plan, "aws:ecs/capacityProvider:CapacityProvider");
    const asg = one(plan, "aws:autoscaling/group:Group");
    expect(cp.dependencies).to.include(asg.urn);
    expect(asg.dependencies).to.include(lt.urn);
    expect(byUrn(plan, lt.parent as string)?.type).to.equal("ml-platform:classification:GpuEcsCluster");
  });

  it("stops with an error naming the key for an unknown AMI combination or inverted scaling bounds", async () => {
    const ami = await planStack("classification", { config: { "ml-platform:gpuAmi": "ubuntu99-nope" } }).catch(
      (e: unknown) => e,
    );
    expect(ami).to.be.instanceOf(PlanError);
    expect((ami as Error).message).to.contain('ml-platform:gpuAmi: unknown GPU AMI combination "ubuntu99-nope"');
    const bounds = await planStack("classification", {
      config: { "ml-platform:scaling": { minTasks: 8, maxTasks: 4, scaleOutAgeSeconds: 1800, scaleInAgeSeconds: 300 } },
    }).catch((e: Error) => e);
    expect((bounds as Error).message).to.contain("ml-platform:scaling.maxTasks: maxTasks must be at least minTasks");
  });

  it("admits the public API load balancer from CloudFront only, and refuses the internal paths there", () => {
    const lb = one(plan, "aws:ec2/securityGroup:SecurityGroup", "photo-api-lb");
    const ingress = lb.inputs.ingress as Array<{
      cidrBlocks?: string[];
      prefixListIds?: string[];
      securityGroups?: string[];
    }>;
    expect(ingress).to.have.length(1);
    expect(ingress[0].cidrBlocks ?? []).to.deep.equal([]);
    expect(ingress[0].securityGroups ?? []).to.deep.equal([]);
    expect(ingress[0].prefixListIds?.[0]).to.match(/^pl-/);
    const publicLb = one(plan, "aws:lb/loadBalancer:LoadBalancer", "photo-api");
    expect(publicLb.inputs.internal).to.equal(false);
    const listener = one(plan, "aws:lb/listener:Listener", "photo-api-https");
    expect(listener.inputs.loadBalancerArn).to.match(/:loadbalancer\/app\/photo-api-[0-9a-f]{7}\//);
    const rule = one(plan, "aws:lb/listenerRule:ListenerRule", "photo-api-no-internal");
    expect(rule.dependencies).to.include(listener.urn);
    expect(rule.inputs.conditions).to.deep.equal([{ pathPattern: { values: ["/internal/*", "/internal"] } }]);
    expect((rule.inputs.actions as Array<{ type: string; fixedResponse: { statusCode: string } }>)[0]).to.deep.include({
      type: "fixed-response",
    });
    expect(
      (rule.inputs.actions as Array<{ fixedResponse: { statusCode: string } }>)[0].fixedResponse.statusCode,
    ).to.equal("404");
  });

  it("serves the workers from an internal load balancer that only they can reach, under the same name", () => {
    const internalLb = one(plan, "aws:lb/loadBalancer:LoadBalancer", "photo-api-internal");
    expect(internalLb.inputs.internal).to.equal(true);
    expect(internalLb.inputs.subnets).to.deep.equal(["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]);
    const group = one(plan, "aws:ec2/securityGroup:SecurityGroup", "photo-api-internal-lb");
    const ingress = group.inputs.ingress as Array<{
      cidrBlocks?: string[];
      securityGroups?: string[];
      fromPort: number;
    }>;
    expect(ingress).to.have.length(1);
    expect(ingress[0].cidrBlocks ?? []).to.deep.equal([]);
    const workers = one(plan, "aws:ec2/securityGroup:SecurityGroup", "gpu-instances");
    expect(ingress[0].securityGroups).to.have.length(1);
    expect(group.dependencies).to.include(workers.urn);
    const zone = one(plan, "aws:route53/zone:Zone", "photo-api-private");
    expect(zone.inputs).to.deep.include({
      name: "photos-api.recipes.example.com",
      vpcs: [{ vpcId: "vpc-0c1d2e3f4a5b60718" }],
    });
    const record = one(plan, "aws:route53/record:Record", "photo-api-private");
    const [alias] = record.inputs.aliases as Array<{ name: string }>;
    expect(alias.name).to.match(/^internal-photo-api-internal-/);
    expect(record.inputs.name).to.equal("photos-api.recipes.example.com");
    const service = one(plan, "aws:ecs/service:Service", "photo-api");
    expect((service.inputs.loadBalancers as unknown[]).length).to.equal(2);
  });
});
