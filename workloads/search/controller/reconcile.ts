/**
 * Makes the namespace's index services what `desired` says: each object server-side applied
 * (field manager `segment-controller`, so a re-apply is a no-op and a change is a patch), and
 * every Deployment or Service labelled as an index service that `desired` does not name deleted.
 * The controller's Role allows exactly these verbs on these two kinds in its namespace.
 */
import * as k8s from "@kubernetes/client-node";
import { K8S, SEARCH_COMPONENT } from "../../shared/conventions";
import type { Logger } from "../../shared/log";
import type { KubeObject } from "./desired";

export const FIELD_MANAGER = "segment-controller";
const KINDS = [
  { apiVersion: "apps/v1", kind: "Deployment" },
  { apiVersion: "v1", kind: "Service" },
] as const;

export interface ReconcileResult {
  applied: string[];
  deleted: string[];
}

export class Reconciler {
  private readonly api: k8s.KubernetesObjectApi;

  constructor(
    kubeconfig: k8s.KubeConfig,
    private readonly namespace: string,
    private readonly log: Logger,
  ) {
    this.api = k8s.KubernetesObjectApi.makeApiClient(kubeconfig);
  }

  /** `prune: false` applies without deleting (the caller could not read every published segment). */
  async reconcile(desired: readonly KubeObject[], { prune = true } = {}): Promise<ReconcileResult> {
    const applied: string[] = [];
    for (const object of desired) {
      if (object.metadata.namespace !== this.namespace) {
        throw new Error(`${object.kind}/${object.metadata.name}: not in namespace ${this.namespace}`);
      }
      await this.api.patch(
        object as k8s.KubernetesObject,
        undefined,
        undefined,
        FIELD_MANAGER,
        true,
        k8s.PatchStrategy.ServerSideApply,
      );
      applied.push(`${object.kind}/${object.metadata.name}`);
    }
    const wanted = new Set(desired.map((o) => `${o.kind}/${o.metadata.name}`));
    const deleted: string[] = [];
    for (const { apiVersion, kind } of prune ? KINDS : []) {
      const existing = await this.api.list(
        apiVersion,
        kind,
        this.namespace,
        undefined,
        undefined,
        undefined,
        undefined,
        `${K8S.component}=${SEARCH_COMPONENT.indexService}`,
      );
      for (const item of existing.items) {
        const name = item.metadata?.name ?? "";
        if (wanted.has(`${kind}/${name}`)) continue;
        await this.api.delete({ apiVersion, kind, metadata: { name, namespace: this.namespace } });
        deleted.push(`${kind}/${name}`);
      }
    }
    if (deleted.length > 0 || applied.length > 0) this.log.info({ applied: applied.length, deleted }, "reconciled");
    return { applied, deleted };
  }
}
