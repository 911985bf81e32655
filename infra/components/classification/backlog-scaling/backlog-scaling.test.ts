import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { BacklogScaling } from ".";

interface AliasSpec {
  getName(): string;
  getType(): string;
  getParenturn(): string;
  getNoparent(): boolean;
}
interface MockMonitor {
  newUrn(parent: string, type: string, name: string): string;
  registerResource(
    req: {
      getType(): string;
      getName(): string;
      getParent(): string;
      getAliasesList(): Array<{ getUrn(): string; getSpec(): AliasSpec | undefined }>;
    },
    cb: (err: Error | null, resp?: { getUrn(): string }) => void,
  ): void;
}

/** What the (mock) engine is told: each resource's URN, parent and aliases as URNs. */
const registered: Array<{ type: string; name: string; urn: string; parent: string; aliases: string[] }> = [];

describe("BacklogScaling (switching a stack from step scaling)", () => {
  before(async () => {
    await pulumi.runtime.setMocks(
      { newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }), call: (args) => args.inputs },
      "project",
      "stack",
      false,
    );
    const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitor;
    const original = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, cb) =>
      original(req, (err, resp) => {
        if (resp) {
          const aliases = req.getAliasesList().map((a) => {
            const spec = a.getSpec();
            if (spec === undefined) return a.getUrn();
            const parent = spec.getNoparent() ? "" : spec.getParenturn() || req.getParent();
            return monitor.newUrn(parent, spec.getType() || req.getType(), spec.getName() || req.getName());
          });
          registered.push({
            type: req.getType(),
            name: req.getName(),
            urn: resp.getUrn(),
            parent: req.getParent(),
            aliases,
          });
        }
        cb(err, resp);
      });
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
    for (let seen = -1; seen !== registered.length;) {
      seen = registered.length;
      await new Promise((done) => setTimeout(done, 50));
    }
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
