/**
 * Writes a custom resource's status through its `status` subresource only (so a status write
 * can never change a spec, and RBAC can give the operator `update` on status without it), as a
 * replace carrying the resourceVersion read: a write against a changed object fails with 409
 * and the work queue retries it against the fresh one. A status equal to the one there is not written.
 */
import { isDeepStrictEqual } from "node:util";
import * as k8s from "@kubernetes/client-node";
import { GROUP, VERSION, type ObjectMeta } from "../crds/types";

export interface WithStatus<S> {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  status?: S;
}

export class StatusWriter {
  private readonly api: k8s.CustomObjectsApi;

  constructor(
    kubeconfig: k8s.KubeConfig,
    private readonly plural: string,
  ) {
    this.api = kubeconfig.makeApiClient(k8s.CustomObjectsApi);
  }

  /** Writes `status` unless the object already has it; true when a write happened. */
  async write<S>(object: WithStatus<S>, status: S): Promise<boolean> {
    if (isDeepStrictEqual(JSON.parse(JSON.stringify(object.status ?? {})), JSON.parse(JSON.stringify(status))))
      return false;
    await this.api.replaceNamespacedCustomObjectStatus({
      group: GROUP,
      version: VERSION,
      plural: this.plural,
      namespace: object.metadata.namespace as string,
      name: object.metadata.name,
      body: { ...object, status },
    });
    return true;
  }
}
