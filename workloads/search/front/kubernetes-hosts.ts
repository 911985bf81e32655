/**
 * Shard hosts in the cluster: an informer (list, then watch) over the EndpointSlices of the
 * Services labelled as shard hosts in one namespace. A host is listed while one of its endpoints
 * is ready, at its Service's DNS name (the controller keeps the Service port equal to the
 * container port). What each host serves the front asks the host itself (host-directory.ts).
 * Nothing is polled per query: the watch keeps the list current, and the informer is restarted
 * if the watch fails.
 */
import * as k8s from "@kubernetes/client-node";
import { K8S, SEARCH_COMPONENT, SEGMENT_GRPC_PORT } from "../../shared/conventions";
import type { Logger } from "../../shared/log";
import type { HostSource } from "./discovery";

/** The address an EndpointSlice gives its host at, or why it gives none. */
export function addressOfSlice(slice: k8s.V1EndpointSlice, namespace: string): string | { problem: string } {
  const name = slice.metadata?.name ?? "?";
  const service = slice.metadata?.labels?.["kubernetes.io/service-name"];
  if (!service) return { problem: `EndpointSlice ${name}: no kubernetes.io/service-name label` };
  const port = (slice.ports ?? []).find((p) => p.name === SEGMENT_GRPC_PORT.name)?.port;
  if (port === undefined) return { problem: `EndpointSlice ${name}: no port named ${SEGMENT_GRPC_PORT.name}` };
  if (!(slice.endpoints ?? []).some((e) => e.conditions?.ready !== false)) return { problem: "" };
  return `${service}.${namespace}.svc:${port}`;
}

export class KubernetesHosts implements HostSource {
  private readonly listeners: (() => void)[] = [];
  private readonly informer: k8s.Informer<k8s.V1EndpointSlice> & k8s.ObjectCache<k8s.V1EndpointSlice>;
  private stopped = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly reported = new Set<string>();

  constructor(
    kubeconfig: k8s.KubeConfig,
    private readonly namespace: string,
    private readonly log: Logger,
    selector = `${K8S.component}=${SEARCH_COMPONENT.shardHost}`,
  ) {
    const api = kubeconfig.makeApiClient(k8s.DiscoveryV1Api);
    this.informer = k8s.makeInformer(
      kubeconfig,
      `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`,
      () => api.listNamespacedEndpointSlice({ namespace, labelSelector: selector }),
      selector,
    );
    for (const verb of [k8s.ADD, k8s.UPDATE, k8s.DELETE] as const) this.informer.on(verb, () => this.changed());
    this.informer.on(k8s.ERROR, (err) => {
      if (this.stopped) return;
      // The informer stops on a failed watch: start it again (it re-lists, so nothing is missed).
      this.log.warn({ err: String(err) }, "shard-host watch failed; restarting in 1 s");
      this.restartTimer = setTimeout(() => this.informer.start().catch(() => undefined), 1_000);
    });
  }

  /** Lists the current slices and starts watching; resolves once the first list is in. */
  async start(): Promise<this> {
    await this.informer.start();
    this.changed();
    return this;
  }

  current(): string[] {
    const addresses = new Set<string>();
    for (const slice of this.informer.list(this.namespace)) {
      const address = addressOfSlice(slice, this.namespace);
      if (typeof address === "string") addresses.add(address);
      else if (address.problem && !this.reported.has(address.problem)) {
        this.log.warn(address.problem); // once per problem, not per query
        this.reported.add(address.problem);
      }
    }
    return [...addresses];
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    await this.informer.stop();
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
