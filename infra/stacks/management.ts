/** PLACEHOLDER: replaced by the management layer's components. */
import { z } from "zod";
import { loadConfig } from "../config/load";
import { awsAccountId, awsRegion, tags } from "../config/schema";
import { accountProvider } from "../shared/aws-provider";

export const managementConfig = z.object({
  layer: z.literal("management"),
  accountId: awsAccountId,
  region: awsRegion,
  tags,
});

export async function management(): Promise<Record<string, unknown>> {
  const cfg = loadConfig(managementConfig);
  const provider = accountProvider("management", { region: cfg.region, accountId: cfg.accountId, tags: cfg.tags });
  return { providerId: provider.id };
}
