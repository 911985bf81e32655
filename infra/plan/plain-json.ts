/**
 * Turns Pulumi's wire form of property values into plain JSON for the plan file: secrets are
 * masked, resource references become their URNs, assets and archives a short description.
 */
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import { COMPUTED, SECRET_MASK } from "./types";

const {
  specialSigKey: SIG_KEY,
  specialSecretSig: SECRET_SIG,
  specialResourceSig: RESOURCE_SIG,
  specialAssetSig: ASSET_SIG,
  specialArchiveSig: ARCHIVE_SIG,
  specialOutputValueSig: OUTPUT_SIG,
  unknownValue: UNKNOWN,
} = rpc;

export function toPlainJson(value: unknown): unknown {
  if (value === UNKNOWN) return COMPUTED;
  if (Array.isArray(value)) return value.map(toPlainJson);
  if (value === null || typeof value !== "object") return value;
  const obj = value as Record<string, unknown>;
  switch (obj[SIG_KEY]) {
    case SECRET_SIG:
      return SECRET_MASK;
    case RESOURCE_SIG:
      return obj.urn;
    case OUTPUT_SIG:
      return obj.secret === true ? SECRET_MASK : "value" in obj ? toPlainJson(obj.value) : COMPUTED;
    case ASSET_SIG:
    case ARCHIVE_SIG:
      return describeAsset(obj);
    default: {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(obj)) out[k] = toPlainJson(v);
      return out;
    }
  }
}

function describeAsset(obj: Record<string, unknown>): Record<string, unknown> {
  if (typeof obj.path === "string") return { asset: "file", path: obj.path };
  if (typeof obj.uri === "string") return { asset: "remote", uri: obj.uri };
  if (typeof obj.text === "string") return { asset: "text", bytes: obj.text.length };
  if (obj.assets !== undefined) return { asset: "archive", entries: Object.keys(obj.assets as object).sort() };
  return { asset: "unknown" };
}

/**
 * Provider inputs travel JSON-encoded ("[\"1111\"]", "{\"tags\":…}"); decode them so the plan,
 * the mocks and the policies read providers like any other resource.
 */
export function decodeProviderInputs(inputs: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(inputs)) {
    out[key] = value;
    if (typeof value !== "string" || !/^[[{]/.test(value)) continue;
    try {
      out[key] = JSON.parse(value);
    } catch {
      // Not JSON after all: keep the string.
    }
  }
  return out;
}
