/**
 * One reconcile round's decision, pure: from the published segments and the assignments the host
 * ConfigMaps hold, the hosts to run and their objects. The previous assignment is the
 * controller's only memory (it lives in the cluster, so a restarted controller keeps every
 * segment where it is), and `prune` is false whenever part of the picture could not be read.
 */
import { assignHosts, type HostAssignment, type HostPlan } from "../segments/assignment";
import { segmentId } from "../segments/segment";
import {
  HOST_PREFIX,
  hostObjects,
  keepUnreadable,
  segmentsToServe,
  type HostTemplate,
  type KubeObject,
} from "./desired";
import type { PublishedList } from "./published";
import { quantityBytes } from "./serving-spec";

export interface RoundInput {
  published: PublishedList;
  previous: { assignments: HostAssignment[]; unreadable: string[] };
  template: HostTemplate;
  now: Date;
}

export interface RoundPlan {
  hosts: HostPlan[];
  objects: KubeObject[];
  prune: boolean;
}

export function planRound({ published, previous, template, now }: RoundInput): RoundPlan {
  const { spec } = template;
  const known = keepUnreadable(published.segments, published.unreadable, previous.assignments);
  const serve = segmentsToServe(known, now, spec.retentionDays * 86_400_000, spec.embeddingVersions);
  const hosts = assignHosts(serve, new Map(previous.assignments.map((a) => [a.host, a.segments.map(segmentId)])), {
    hostMemoryBytes: quantityBytes(spec.hostMemory, "hostMemory"),
    flatMaxItems: spec.flatMaxItems,
    prefix: HOST_PREFIX,
  });
  return {
    hosts,
    objects: hosts.flatMap((h) => hostObjects(h, template)),
    prune: published.unreadable.length === 0 && previous.unreadable.length === 0,
  };
}
