/**
 * The search layer's containers get environments their programs accept: every container the stack
 * declares has its env read back through its program's own schema and settings loader (the env
 * contract the workload owns), and a variable the program does not define fails the test instead
 * of being dropped silently at start.
 */
import { expect } from "chai";
import type { z } from "zod";
import { BuildEnv, settingsFromEnv } from "../../../workloads/search/builder/config";
import { controllerEnv, loadControllerSettings } from "../../../workloads/search/controller/config";
import { frontEnv, loadFrontSettings } from "../../../workloads/search/front/config";
import { loadSweepSettings, sweepEnv } from "../../../workloads/search/sweep/config";
import {
  createBuildEnv,
  loadCreateBuildSettings,
  loadOperatorSettings,
  operatorEnv,
} from "../../../workloads/search/operator/config";
import { parseBuildJobs } from "../../../workloads/search/operator/job-template";
import { loadEnv } from "../../../workloads/shared/env";
import { SDK_ENVIRONMENT } from "../../components/blocks/pod-workload";
import type { PlannedResource, StackPlan } from "../../plan/types";
import { planSearch, WORKLOADS } from "./search.testing";

interface PodSpec {
  containers: { name: string; env?: { name: string; value: string }[] }[];
}
const nameOf = (r: PlannedResource) => (r.inputs.metadata as { name?: string })?.name ?? "";
const podSpec = (r: PlannedResource): PodSpec =>
  r.type === "kubernetes:batch/v1:CronJob"
    ? (r.inputs.spec as { jobTemplate: { spec: { template: { spec: PodSpec } } } }).jobTemplate.spec.template.spec
    : (r.inputs.spec as { template: { spec: PodSpec } }).template.spec;

/** The one container's env of `name`, after checking every variable is one its program defines. */
function envOf(plan: StackPlan, name: string, schema: z.ZodObject): Record<string, string> {
  const owner = plan.resources.find(
    (r) => ["kubernetes:apps/v1:Deployment", "kubernetes:batch/v1:CronJob"].includes(r.type) && nameOf(r) === name,
  );
  if (!owner) throw new Error(`no Deployment or CronJob ${name} in the plan`);
  return checkedEnv(name, podSpec(owner), schema);
}

function checkedEnv(name: string, { containers }: PodSpec, schema: z.ZodObject): Record<string, string> {
  expect(containers, `${name}: one container`).to.have.length(1);
  const env = Object.fromEntries((containers[0].env ?? []).map((e) => [e.name, e.value]));
  const known = new Set<string>([...Object.keys(schema.shape), ...SDK_ENVIRONMENT]);
  expect(
    Object.keys(env).filter((k) => !known.has(k)),
    `${name}: variables its program does not define`,
  ).to.deep.equal([]);
  expect(env.AWS_REGION, `${name}: AWS_REGION for the SDK`).to.equal("us-east-1");
  return env;
}

describe("search layer environments (read back by the programs)", () => {
  let plan: StackPlan;
  before(async () => {
    plan = await planSearch();
  });

  it("declares no container this test does not read back", () => {
    const owners = plan.resources
      .filter((r) => ["kubernetes:apps/v1:Deployment", "kubernetes:batch/v1:CronJob"].includes(r.type))
      .map(nameOf)
      .sort();
    expect(owners).to.deep.equal(WORKLOADS);
  });

  it("gives the front an environment its settings loader accepts, with the builds' embedder", () => {
    const settings = loadFrontSettings(envOf(plan, "search-front", frontEnv));
    expect(settings.namespace).to.equal("search");
    expect(settings.httpPort).to.equal(8080);
    expect(settings.hostSelector).to.equal("app.kubernetes.io/component=shard-host");
    expect(settings.embedderModelUri).to.match(/^s3:\/\//);
  });

  it("gives the segment controller an environment its settings loader accepts, naming its IndexServing", () => {
    const env = envOf(plan, "segment-controller", controllerEnv);
    const settings = loadControllerSettings(env);
    expect(settings.namespace).to.equal("search");
    expect(settings.assetBucket).to.match(/^search-assets-/);
    expect(settings.indexServing).to.equal("search");
    expect(settings.hostServiceAccount).to.equal("shard-host");
    expect(settings.hostUid).to.equal(10001);
    expect(settings.hostGrpcPort).to.equal(50051);
    // The serving spec is the IndexServing's (search.test.ts): none of it travels in the env.
    expect(
      Object.keys(env)
        .filter((k) => k in controllerEnv.shape)
        .sort(),
    ).to.deep.equal(
      [
        "ASSET_BUCKET",
        "HOST_GRPC_PORT",
        "HOST_OPS_PORT",
        "HOST_SERVICE_ACCOUNT",
        "HOST_UID",
        "INDEX_SERVING",
        "NAMESPACE",
        "OPS_PORT",
      ].sort(),
    );
  });

  it("gives the operator and each CronJob's create step an environment their loaders accept", () => {
    const operator = loadOperatorSettings(envOf(plan, "segment-operator", operatorEnv));
    expect(operator).to.deep.include({ namespace: "search", leaseName: "segment-operator", opsPort: 9090 });
    expect(parseBuildJobs(operator.buildJobs).source).to.match(/^s3:\/\/search-assets-[0-9a-f]{7}\/$/);
    for (const tier of ["hourly", "daily", "monthly"]) {
      const create = loadCreateBuildSettings(envOf(plan, `segment-build-${tier}`, createBuildEnv));
      expect(create.namespace, tier).to.equal("search");
      expect(create.source, tier).to.match(/^s3:\/\/search-assets-[0-9a-f]{7}\/$/);
    }
  });

  it("gives each segment build an environment its loader accepts: the buckets, the tuning, CUDA on the GPU tier only", () => {
    const jobs = parseBuildJobs(loadOperatorSettings(envOf(plan, "segment-operator", operatorEnv)).buildJobs);
    for (const tier of ["hourly", "daily", "monthly"] as const) {
      // The pod the operator reads: the PodTemplate its settings name.
      const template = plan.resources.find(
        (r) => r.type === "kubernetes:core/v1:PodTemplate" && nameOf(r) === jobs.tiers[tier].podTemplate,
      ) as PlannedResource;
      const pod = (template.inputs.template as { spec: PodSpec }).spec;
      const env = loadEnv(BuildEnv, checkedEnv(`build:${tier}`, pod, BuildEnv));
      const settings = settingsFromEnv(env);
      expect(settings.imageBucket, tier).to.equal("photos-0a1b2c3");
      expect(settings.feedBucket, tier).to.equal("recipes-catalogue-feed");
      expect(settings.feedPrefix, tier).to.equal("catalogue/");
      expect(settings.assetBucket, tier).to.match(/^search-assets-/);
      expect(settings.embedBatch, tier).to.equal(32);
      expect(env.INFERENCE_THREADS, tier).to.equal(4);
      expect(env.CACHE_DIR, tier).to.equal("/cache");
      expect(env.EXECUTION_PROVIDER, tier).to.equal(tier === "hourly" ? "cuda" : "cpu");
    }
  });

  it("gives the repository sweep an environment its settings loader accepts: the asset bucket and the grace periods", () => {
    const settings = loadSweepSettings(envOf(plan, "repository-sweep", sweepEnv));
    expect(settings).to.deep.include({ graceHours: 48, staleRunHours: 72, dryRun: false });
    expect(settings.assetBucket).to.match(/^search-assets-/);
  });
});
