/**
 * Slack request signing, v0: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{raw body}` keyed with
 * the app's signing secret. The body is checked exactly as Slack sent it (a base64-encoded
 * function URL body decoded first), compared in constant time, and a timestamp more than five
 * minutes from now is refused. A request that passes is good once: replay-guard.ts refuses it again.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const MAX_SKEW_SECONDS = 300;

export type Verification = { ok: true } | { ok: false; reason: string };

export function sign(signingSecret: string, timestamp: string, rawBody: string): string {
  return `v0=${createHmac("sha256", signingSecret).update(`v0:${timestamp}:${rawBody}`).digest("hex")}`;
}

export function verify(
  signingSecret: string,
  headers: Record<string, string | undefined>,
  rawBody: string,
  now: Date = new Date(),
): Verification {
  const timestamp = headers["x-slack-request-timestamp"];
  const signature = headers["x-slack-signature"];
  if (!timestamp || !signature) return { ok: false, reason: "missing signature headers" };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: "malformed timestamp" };
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > MAX_SKEW_SECONDS)
    return { ok: false, reason: "stale timestamp" };
  const expected = Buffer.from(sign(signingSecret, timestamp, rawBody));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: "bad signature" };
  return { ok: true };
}
