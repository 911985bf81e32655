/**
 * Deterministic, realistic-looking cloud identifiers for the offline plan. Programs read ids and
 * ARNs back (policies name ARNs, routes name peering ids), so they must look like AWS's own.
 */
import { createHash } from "node:crypto";

export const DEFAULT_ACCOUNT = "111111111111";
export const DEFAULT_REGION = "us-east-1";

export function digest(...parts: string[]): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("hex");
}

export function hexId(prefix: string, seed: string, length = 17): string {
  return `${prefix}-${digest(seed).slice(0, length)}`;
}

/** Pulumi's auto-naming appends a random 7-character suffix to the logical name. */
export function autoName(logicalName: string, seed: string): string {
  return `${logicalName}-${digest("autoname", seed).slice(0, 7)}`;
}

export function accountIdFrom(seed: string): string {
  const n = BigInt(`0x${digest("account", seed).slice(0, 15)}`) % 900_000_000_000n;
  return String(n + 100_000_000_000n);
}

export function uuidFrom(seed: string): string {
  const h = digest("uuid", seed);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function upperAlnum(seed: string, length: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  const h = digest("alnum", seed);
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[parseInt(h.slice(i * 2, i * 2 + 2), 16) % alphabet.length];
  return out;
}

/** The account a role ARN lives in, e.g. arn:aws:iam::123456789012:role/x → 123456789012. */
export function accountOfArn(arn: unknown): string | undefined {
  if (typeof arn !== "string") return undefined;
  const m = /^arn:aws[\w-]*:[\w-]+:[\w-]*:(\d{12}):/.exec(arn);
  return m?.[1];
}
