/** PLACEHOLDER: replaced by the research layer's components. */
import { z } from "zod";
import { loadConfig } from "../config/load";
import { awsAccountId, awsRegion, tags } from "../config/schema";
import { accountProvider } from "../shared/aws-provider";

export const researchConfig = z.object({
  layer: z.literal("research"),
  accountId: awsAccountId,
  region: awsRegion,
  tags,
});

export async function research(): Promise<Record<string, unknown>> {
  const cfg = loadConfig(researchConfig);
  const provider = accountProvider("research", { region: cfg.region, accountId: cfg.accountId, tags: cfg.tags });
  return { providerId: provider.id };
}
