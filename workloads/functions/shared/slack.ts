/**
 * The few Slack calls the ops functions make, over `fetch`: `chat.postMessage` (Web API, bot
 * token) and replies to a slash command's `response_url`. The API base URL is a setting, so tests
 * point it at a local stand-in. Every call is bounded in time and fails with a SlackError; callers
 * decide what a failure means (the idle check stops instances whatever Slack says).
 */

export class SlackError extends Error {
  override name = "SlackError";
}

export interface SlackClientOptions {
  /** Web API base, e.g. https://slack.com/api (no trailing slash needed). */
  apiUrl: string;
  /** Bot token (xoxb-…), from Secrets Manager. */
  token: string;
  /** Per-call time limit; Slack answers in well under a second when it is up. */
  timeoutMs?: number;
}

export interface SlackClient {
  /** Posts `text` to a channel or, given a user id, to the app's direct messages with that user. */
  postMessage(channel: string, text: string): Promise<void>;
}

export function slackClient(options: SlackClientOptions): SlackClient {
  const base = options.apiUrl.replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? 5000;
  return {
    async postMessage(channel, text) {
      let res: Response;
      try {
        res = await fetch(`${base}/chat.postMessage`, {
          method: "POST",
          headers: { "content-type": "application/json; charset=utf-8", authorization: `Bearer ${options.token}` },
          body: JSON.stringify({ channel, text }),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        throw new SlackError(`chat.postMessage to ${channel}: ${(err as Error).message}`);
      }
      if (!res.ok) throw new SlackError(`chat.postMessage to ${channel}: HTTP ${res.status}`);
      // The Web API answers 200 with {ok:false,error} for refusals (bad token, unknown channel).
      const body = (await res.json().catch(() => ({}))) as { ok?: boolean; error?: string };
      if (body.ok !== true) throw new SlackError(`chat.postMessage to ${channel}: ${body.error ?? "no ok in answer"}`);
    },
  };
}

/** Posts a reply to a slash command's `response_url` (ephemeral unless told otherwise). */
export async function respond(
  responseUrl: string,
  text: string,
  options: { inChannel?: boolean; timeoutMs?: number } = {},
): Promise<void> {
  let res: Response;
  try {
    res = await fetch(responseUrl, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify({ response_type: options.inChannel ? "in_channel" : "ephemeral", text }),
      signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
    });
  } catch (err) {
    throw new SlackError(`response_url: ${(err as Error).message}`);
  }
  if (!res.ok) throw new SlackError(`response_url: HTTP ${res.status}`);
}
