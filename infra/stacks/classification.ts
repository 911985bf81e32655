/** PLACEHOLDER: replaced by the classification layer's components. */
import { z } from "zod";
import { loadConfig } from "../config/load";
import { awsAccountId, awsRegion, tags } from "../config/schema";
import { accountProvider } from "../shared/aws-provider";

export const classificationConfig = z.object({
  layer: z.literal("classification"),
  accountId: awsAccountId,
  region: awsRegion,
  tags,
});

export async function classification(): Promise<Record<string, unknown>> {
  const cfg = loadConfig(classificationConfig);
  const provider = accountProvider("classification", { region: cfg.region, accountId: cfg.accountId, tags: cfg.tags });
  return { providerId: provider.id };
}
