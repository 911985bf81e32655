/**
 * Makes the namespace's shard hosts what `desired` says: each object server-side applied (field
 * manager `segment-controller`, so a re-apply is a no-op and a change is a patch), ConfigMaps
 * before the Deployments that mount them, and every ConfigMap, Deployment, Service or
 * PodDisruptionBudget labelled as a shard host's that `desired` does not name deleted (the
 * Deployment first, its ConfigMap last). It also reads back the assignments the ConfigMaps hold:
 * the controller's memory of where each segment is. The controller's Role allows exactly these
 * verbs on these four kinds in its namespace.
 */
import * as k8s from "@kubernetes/client-node";
import { K8S, SEARCH_COMPONENT } from "../../shared/conventions";
import type { Logger } from "../../shared/log";
import { decodeAssignment, type HostAssignment } from "../segments/assignment";
import { ASSIGNMENT_KEY, type KubeObject } from "./desired";
import type { DeploymentState } from "./index-serving";

export const FIELD_MANAGER = "segment-controller";
/** In the order they are applied; pruned in the reverse order. */
export const KINDS = [
  { apiVersion: "v1", kind: "ConfigMap" },
  { apiVersion: "v1", kind: "Service" },
  { apiVersion: "policy/v1", kind: "PodDisruptionBudget" },
  { apiVersion: "apps/v1", kind: "Deployment" },
] as const;
const SELECTOR = `${K8S.component}=${SEARCH_COMPONENT.shardHost}`;

export interface ReconcileResult {
  applied: string[];
  deleted: string[];
}

export interface PreviousAssignments {
  assignments: HostAssignment[];
  /** ConfigMaps whose document could not be decoded: their segments' place is unknown, so no pruning. */
  unreadable: string[];
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

  private list(apiVersion: string, kind: string) {
    return this.api.list(apiVersion, kind, this.namespace, undefined, undefined, undefined, undefined, SELECTOR);
  }

  /** The assignment each host's ConfigMap holds now. */
  async readAssignments(): Promise<PreviousAssignments> {
    const maps = await this.list("v1", "ConfigMap");
    const assignments: HostAssignment[] = [];
    const unreadable: string[] = [];
    for (const item of maps.items as k8s.V1ConfigMap[]) {
      const name = item.metadata?.name ?? "";
      try {
        const a = decodeAssignment(item.data?.[ASSIGNMENT_KEY] ?? "", `ConfigMap ${name} ${ASSIGNMENT_KEY}`);
        if (a.host !== name) throw new Error(`ConfigMap ${name}: its document names host ${a.host}`);
        assignments.push(a);
      } catch (err) {
        unreadable.push(name);
        this.log.warn({ configMap: name, err: (err as Error).message }, "assignment not readable; nothing is pruned");
      }
    }
    return { assignments, unreadable };
  }

  /** Each host Deployment's rollout as its status reports it, by name. */
  async readDeployments(): Promise<Map<string, DeploymentState>> {
    const list = await this.list("apps/v1", "Deployment");
    return new Map(
      (list.items as k8s.V1Deployment[]).map((d) => [
        d.metadata?.name ?? "",
        {
          generation: d.metadata?.generation ?? 0,
          observedGeneration: d.status?.observedGeneration ?? 0,
          replicas: d.spec?.replicas ?? 0,
          updatedReplicas: d.status?.updatedReplicas ?? 0,
          readyReplicas: d.status?.readyReplicas ?? 0,
        },
      ]),
    );
  }

  /** `prune: false` applies without deleting (the caller could not read every published segment). */
  async reconcile(desired: readonly KubeObject[], { prune = true } = {}): Promise<ReconcileResult> {
    for (const object of desired) {
      if (object.metadata.namespace !== this.namespace)
        throw new Error(`${object.kind}/${object.metadata.name}: not in namespace ${this.namespace}`);
      if (!KINDS.some((k) => k.kind === object.kind && k.apiVersion === object.apiVersion))
        throw new Error(`${object.kind}/${object.metadata.name}: not a kind the controller manages`);
    }
    const rank = (o: KubeObject) => KINDS.findIndex((k) => k.kind === o.kind);
    const ordered = [...desired].sort((a, b) => rank(a) - rank(b));
    const applied: string[] = [];
    for (const object of ordered) {
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
    for (const { apiVersion, kind } of prune ? [...KINDS].reverse() : []) {
      for (const item of (await this.list(apiVersion, kind)).items) {
        const name = item.metadata?.name ?? "";
        if (wanted.has(`${kind}/${name}`)) continue;
        await this.api.delete({ apiVersion, kind, metadata: { name, namespace: this.namespace } });
        deleted.push(`${kind}/${name}`);
      }
    }
    if (deleted.length > 0) this.log.info({ applied: applied.length, deleted }, "reconciled; pruned");
    return { applied, deleted };
  }
}
