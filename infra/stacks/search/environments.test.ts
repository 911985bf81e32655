/**
 * The search layer's containers get environments their programs accept: each Deployment's env
 * read back through the program's own settings loader (the env contract the workload owns).
 */
import { expect } from "chai";
import { loadControllerSettings } from "../../../workloads/search/controller/config";
import { loadFrontSettings } from "../../../workloads/search/front/config";
import { planStack } from "../../plan";
import type { StackPlan } from "../../plan/types";

const CLASSIFICATION = { classification: { uploadBucket: "photos-0a1b2c3" } };

function envOf(plan: StackPlan, name: string): Record<string, string> {
  const deployment = plan.resources.find(
    (r) => r.type === "kubernetes:apps/v1:Deployment" && (r.inputs.metadata as { name?: string })?.name === name,
  );
  if (!deployment) throw new Error(`no Deployment ${name} in the plan`);
  const spec = deployment.inputs.spec as {
    template: { spec: { containers: { env?: { name: string; value: string }[] }[] } };
  };
  return Object.fromEntries((spec.template.spec.containers[0].env ?? []).map((e) => [e.name, e.value]));
}

describe("search layer environments (read back by the programs)", () => {
  let plan: StackPlan;
  before(async () => {
    plan = await planStack("search", { stackOutputs: CLASSIFICATION });
  });

  it("gives the front an environment its settings loader accepts, with the builds' embedder", () => {
    const settings = loadFrontSettings(envOf(plan, "search-front"));
    expect(settings.namespace).to.equal("search");
    expect(settings.embedderModelUri).to.match(/^s3:\/\//);
  });

  it("gives the segment controller an environment its settings loader accepts", () => {
    const settings = loadControllerSettings(envOf(plan, "segment-controller"));
    expect(settings.namespace).to.equal("search");
    expect(settings.indexServiceAccount).to.equal("index-service");
  });
});
