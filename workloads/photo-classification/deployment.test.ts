/**
 * The classification stack's containers against the services' own environment schemas: each
 * task definition must set every variable its service requires, with values the service
 * accepts, and nothing it does not know. Catches a renamed variable before a deploy does.
 */
import { expect } from "chai";
import { z } from "zod";
import { planStack } from "../../infra/plan";
import { jsonInput, one } from "../../infra/plan/query";
import type { StackPlan } from "../../infra/plan/types";
import { apiEnv } from "./api/config";
import { workerEnv } from "./worker/config";

interface Container {
  name: string;
  environment?: Array<{ name: string; value: string }>;
  secrets?: Array<{ name: string; valueFrom: string }>;
}

function containerEnv(plan: StackPlan, taskName: string): { env: Record<string, string>; names: string[] } {
  const [container] = jsonInput<Container[]>(
    one(plan, "aws:ecs/taskDefinition:TaskDefinition", taskName),
    "containerDefinitions",
  );
  const env: Record<string, string> = Object.fromEntries((container.environment ?? []).map((e) => [e.name, e.value]));
  // Secrets arrive at run time; a plausible value stands in for the schema check.
  for (const s of container.secrets ?? []) env[s.name] = "s".repeat(48);
  return { env, names: [...(container.environment ?? []), ...(container.secrets ?? [])].map((e) => e.name) };
}

function check(schema: z.ZodObject, plan: StackPlan, taskName: string): z.output<z.ZodObject> {
  const { env, names } = containerEnv(plan, taskName);
  const known = Object.keys(schema.shape);
  expect(
    names.filter((n) => !known.includes(n)),
    `${taskName}: variables its service does not read`,
  ).to.deep.equal([]);
  const parsed = schema.safeParse(env);
  expect(parsed.success, `${taskName}: ${parsed.success ? "" : parsed.error.message}`).to.equal(true);
  return parsed.data as z.output<z.ZodObject>;
}

describe("classification stack containers vs. the services' environment", () => {
  let plan: StackPlan;
  before(async () => {
    plan = await planStack("classification");
  });

  it("gives the worker everything it requires, with the stack's settings", () => {
    const cfg = check(workerEnv, plan, "classifier") as z.output<typeof workerEnv>;
    expect(cfg).to.include({
      EXECUTION_PROVIDER: "cuda",
      INFERENCE_THREADS: 3,
      BATCH_SIZE: 8,
      VISIBILITY_TIMEOUT_SECONDS: 120,
      MAX_IMAGE_BYTES: 5242880,
      MODEL_URI: "s3://recipes-ml-models/food/food-classifier.onnx?versionId=3sL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY",
      UPLOAD_PREFIX: "uploads/",
      API_URL: "https://photos-api.recipes.example.com",
    });
    // SIGKILL follows ECS's stopTimeout: the worker must be done draining before it.
    const [container] = jsonInput<Array<{ stopTimeout: number; healthCheck: { command: string[] } }>>(
      one(plan, "aws:ecs/taskDefinition:TaskDefinition", "classifier"),
      "containerDefinitions",
    );
    expect(cfg.STOP_TIMEOUT_SECONDS).to.be.below(container.stopTimeout);
    // The container health check asks the worker's own /healthz, on the port it serves.
    expect(container.healthCheck.command.join(" ")).to.contain(`http://127.0.0.1:${cfg.METRICS_PORT}/healthz`);
  });

  it("gives the API everything it requires, with the stack's settings", () => {
    const cfg = check(apiEnv, plan, "photo-api") as z.output<typeof apiEnv>;
    expect(cfg).to.include({
      PORT: 8080,
      UPLOAD_PREFIX: "uploads/",
      MAX_UPLOAD_BYTES: 5242880,
      UPLOAD_URL_EXPIRY_SECONDS: 300,
    });
  });
});
