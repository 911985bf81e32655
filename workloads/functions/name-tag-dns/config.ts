/** The Name-tag DNS function's settings, from its environment; the research stack fills them with `environmentFor`. */
import { z } from "zod";
import { environmentFrom, loadSettings } from "../../shared/env";
import type { Zone } from "./sync";

const zoneName = z
  .string()
  .regex(/^([a-z0-9-]+\.)*[a-z0-9-]+\.?$/i, "expected a DNS zone name such as research-alpha.internal");
const zoneId = z.string().regex(/^Z[A-Z0-9]+$/, "expected a Route 53 hosted zone id such as Z0123456789ABC");

export const nameTagDnsEnv = z.object({
  /** The private forward zone the function writes `<Name>.<zone>` A records in. */
  FORWARD_ZONE_ID: zoneId,
  FORWARD_ZONE_NAME: zoneName,
  /** The reverse zone (`<x>.10.in-addr.arpa`) the function writes PTR records in. */
  REVERSE_ZONE_ID: zoneId,
  REVERSE_ZONE_NAME: zoneName,
});

export interface NameTagDnsConfig {
  forward: Zone;
  reverse: Zone;
}

export function loadNameTagDnsConfig(env: NodeJS.ProcessEnv = process.env): NameTagDnsConfig {
  const s = loadSettings(nameTagDnsEnv, env);
  return {
    forward: { id: s.forwardZoneId, name: s.forwardZoneName },
    reverse: { id: s.reverseZoneId, name: s.reverseZoneName },
  };
}

/**
 * The function's environment. Zone names are known when the stack is written and checked here,
 * naming the variable; zone ids come from the zones the same stack creates (`Id` is whatever the
 * stack passes, a Pulumi output there) and are checked by the function when it starts.
 */
export function environmentFor<Id>(settings: {
  forward: { id: Id; name: string };
  reverse: { id: Id; name: string };
}): Record<string, Id | string> {
  const names = nameTagDnsEnv.pick({ FORWARD_ZONE_NAME: true, REVERSE_ZONE_NAME: true });
  environmentFrom(names, { forwardZoneName: settings.forward.name, reverseZoneName: settings.reverse.name });
  return {
    FORWARD_ZONE_ID: settings.forward.id,
    FORWARD_ZONE_NAME: settings.forward.name,
    REVERSE_ZONE_ID: settings.reverse.id,
    REVERSE_ZONE_NAME: settings.reverse.name,
  };
}
