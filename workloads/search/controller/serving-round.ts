/**
 * One controller round for an IndexServing: read the object (none: nothing to do, its hosts went
 * with it), check its spec (refused: `Degraded`/`InvalidSpec` in its status, nothing applied), plan
 * and apply the hosts' objects owned by it, read their Deployments back and write the status
 * through the status subresource when it changed. main.ts runs it on an interval and on a watch.
 */
import * as k8s from "@kubernetes/client-node";
import type { Logger } from "../../shared/log";
import { StatusWriter } from "../operator/status";
import { API_VERSION, GROUP, INDEX_SERVING, VERSION, type IndexServing } from "../crds/types";
import type { HostPlan } from "../segments/assignment";
import type { HostTemplate } from "./desired";
import { InvalidSpecError, servingSpecFrom, servingStatus } from "./index-serving";
import type { PublishedList } from "./published";
import type { Reconciler } from "./reconcile";
import { planRound } from "./round";

export interface ServingRoundArgs {
  kubeconfig: k8s.KubeConfig;
  reconciler: Reconciler;
  /** The published segments (the asset repository's pointers: `PublishedSegments`). */
  published: { list(): Promise<PublishedList> };
  namespace: string;
  name: string;
  /** What the host objects need besides the spec. */
  hosts: Omit<HostTemplate, "namespace" | "spec" | "owner">;
  notReadyDeadlineMs: number;
  log: Logger;
}

export type RoundOutcome =
  | { outcome: "absent" }
  | { outcome: "invalid"; statusWritten: boolean }
  | {
      outcome: "applied";
      hosts: HostPlan[];
      applied: number;
      pruned: boolean;
      unreadable: number;
      statusWritten: boolean;
    };

export class ServingRound {
  private readonly custom: k8s.CustomObjectsApi;
  private readonly status: StatusWriter;

  constructor(private readonly a: ServingRoundArgs) {
    this.custom = a.kubeconfig.makeApiClient(k8s.CustomObjectsApi);
    this.status = new StatusWriter(a.kubeconfig, INDEX_SERVING.plural);
  }

  /** Where the IndexServing is served, for the API's custom-object calls. */
  get where() {
    return { group: GROUP, version: VERSION, plural: INDEX_SERVING.plural, namespace: this.a.namespace };
  }

  private async read(): Promise<IndexServing | undefined> {
    try {
      return (await this.custom.getNamespacedCustomObject({ ...this.where, name: this.a.name })) as IndexServing;
    } catch (err) {
      if ((err as { code?: number }).code === 404) return undefined;
      throw err;
    }
  }

  async run(now = new Date()): Promise<RoundOutcome> {
    const { a } = this;
    const object = await this.read();
    if (!object) return { outcome: "absent" };
    const notReadyDeadlineMs = a.notReadyDeadlineMs;
    let spec;
    try {
      spec = servingSpecFrom(object);
    } catch (err) {
      if (!(err instanceof InvalidSpecError)) throw err;
      a.log.warn({ indexServing: object.metadata.name, err: err.message }, "invalid spec; nothing applied");
      const statusWritten = await this.status.write(
        object,
        servingStatus({ object, now, notReadyDeadlineMs, invalid: err }),
      );
      return { outcome: "invalid", statusWritten };
    }
    const template: HostTemplate = {
      ...a.hosts,
      namespace: a.namespace,
      spec,
      owner: {
        apiVersion: API_VERSION,
        kind: INDEX_SERVING.kind,
        name: object.metadata.name,
        uid: object.metadata.uid as string,
      },
    };
    const [list, previous] = await Promise.all([a.published.list(), a.reconciler.readAssignments()]);
    const plan = planRound({ published: list, previous, template, now });
    const result = await a.reconciler.reconcile(plan.objects, { prune: plan.prune });
    const deployments = await a.reconciler.readDeployments();
    const statusWritten = await this.status.write(
      object,
      servingStatus({
        object,
        now,
        notReadyDeadlineMs,
        hosts: plan.hosts,
        deployments,
        replicas: spec.replicas,
        unreadable: [...list.unreadable.map((u) => `pointer ${u.tier}/${u.window}`), ...previous.unreadable],
      }),
    );
    return {
      outcome: "applied",
      hosts: plan.hosts,
      applied: result.applied.length,
      pruned: plan.prune,
      unreadable: list.unreadable.length + previous.unreadable.length,
      statusWritten,
    };
  }
}
