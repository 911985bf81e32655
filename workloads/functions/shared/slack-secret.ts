/**
 * The Slack app's credentials, one Secrets Manager secret for both functions:
 * `{"botToken": "xoxb-…", "signingSecret": "…"}`. Read once per Lambda container.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { z } from "zod";

const slackSecret = z.object({
  botToken: z.string().min(1),
  signingSecret: z.string().min(1),
});
export type SlackSecret = z.output<typeof slackSecret>;

export async function readSlackSecret(client: SecretsManagerClient, secretId: string): Promise<SlackSecret> {
  const res = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  let parsed: unknown;
  try {
    parsed = JSON.parse(res.SecretString ?? "");
  } catch {
    throw new Error(`secret ${secretId}: expected JSON {"botToken": "xoxb-…", "signingSecret": "…"}`);
  }
  const result = slackSecret.safeParse(parsed);
  if (!result.success)
    throw new Error(
      `secret ${secretId}: ${result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`,
    );
  return result.data;
}
