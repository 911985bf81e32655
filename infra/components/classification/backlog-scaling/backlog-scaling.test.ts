import { expect } from "chai";
import { BacklogScaling } from ".";
import { recordRegistrations, settled, type Registered } from "../../blocks/alias-recorder.testing";

let registered: Registered[] = [];

describe("BacklogScaling (switching a stack from step scaling)", () => {
  before(async () => {
    registered = await recordRegistrations();
  });

  it("is aliased to the queue-age component of the same name, and its target keeps the same name under it", async () => {
    new BacklogScaling("classifier-scaling", {
      clusterName: "gpu",
      serviceName: "classifier",
      queueName: "photos",
      minTasks: 4,
      maxTasks: 10,
      targetBacklogPerTask: 5000,
      scaleOutCooldownSeconds: 300,
      scaleInCooldownSeconds: 300,
      schedule: [],
    });
    await settled(registered);
    const component = registered.find((r) => r.type === "ml-platform:classification:BacklogScaling");
    expect(component?.aliases).to.deep.equal([
      "urn:pulumi:stack::project::ml-platform:classification:QueueAgeScaling::classifier-scaling",
    ]);
    // The engine carries a parent's alias to its children: the target maps onto the step component's target.
    const target = registered.find((r) => r.type === "aws:appautoscaling/target:Target");
    expect(target?.name).to.equal("classifier-scaling");
    expect(target?.parent).to.equal(component?.urn);
    expect(registered.map((r) => r.type)).to.not.include("aws:cloudwatch/metricAlarm:MetricAlarm");
  });

  it("refuses a fleet of no tasks (backlog per task has no datapoint then)", () => {
    expect(
      () =>
        new BacklogScaling("none", {
          clusterName: "gpu",
          serviceName: "classifier",
          queueName: "photos",
          minTasks: 0,
          maxTasks: 10,
          targetBacklogPerTask: 5000,
          scaleOutCooldownSeconds: 300,
          scaleInCooldownSeconds: 300,
          schedule: [],
        }),
    ).to.throw("BacklogScaling none: minTasks must be at least 1");
  });
});
