/** The Slack bot's settings, from its environment; the ops stack fills them with `environmentFor`. */
import { z } from "zod";
import { envInt, loadEnv } from "../../shared/env";

const slackUserId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, "expected a Slack user id such as U012AB3CD");

export const slackBotEnv = z.object({
  /** Secrets Manager secret with the Slack app's `signingSecret` (and `botToken`). */
  SLACK_SECRET_ARN: z.string().min(1),
  /** DynamoDB table that records each accepted request's signature (replay-guard.ts). */
  REPLAY_TABLE: z.string().min(1),
  /** JSON map of Slack user id → owner name, e.g. {"U012AB3CD":"jane"}. */
  RESEARCHERS: z
    .string()
    .transform((s, ctx) => {
      try {
        return JSON.parse(s) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: "expected JSON" });
        return z.NEVER;
      }
    })
    .pipe(z.record(slackUserId, z.string().min(1))),
  /** Comma-separated Slack user ids who may act on every managed instance. */
  ADMINS: z
    .string()
    .default("")
    .transform((s) =>
      s
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(slackUserId)),
  MAX_KEEP_HOURS: envInt(1, 24 * 14).default(72),
  /** The research zone, to show DNS names. */
  ZONE_NAME: z.string().optional(),
  /** Replies go only to URLs under this prefix (Slack's), never where a forged body points. */
  RESPONSE_URL_PREFIX: z.url().default("https://hooks.slack.com/"),
});
export type SlackBotConfig = z.output<typeof slackBotEnv>;

export const loadSlackBotConfig = (env: NodeJS.ProcessEnv = process.env): SlackBotConfig => loadEnv(slackBotEnv, env);

export interface SlackBotSettings {
  slackSecretArn: string;
  /** The replay-record table's name. */
  replayTableName: string;
  researchers: Record<string, string>;
  admins: string[];
  maxKeepHours: number;
  zoneName?: string;
}

/** The function's environment for the given settings (what the ops stack deploys). */
export function environmentFor(s: SlackBotSettings): Record<string, string> {
  const env: Record<string, string> = {
    SLACK_SECRET_ARN: s.slackSecretArn,
    REPLAY_TABLE: s.replayTableName,
    RESEARCHERS: JSON.stringify(s.researchers),
    ADMINS: s.admins.join(","),
    MAX_KEEP_HOURS: String(s.maxKeepHours),
  };
  if (s.zoneName) env.ZONE_NAME = s.zoneName;
  return env;
}

/** The attribute names the table is built with (infra/components/ops/slack-bot). */
export const REPLAY_TABLE_KEY = "signature";
export const REPLAY_TABLE_TTL = "expiresAt";
