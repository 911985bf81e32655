/**
 * Discovery in the cluster: an informer (list, then watch) over the EndpointSlices of Services
 * labelled as segment indexes in one namespace. Kubernetes mirrors a Service's labels onto its
 * EndpointSlices, so each slice says its segment's tier, window and embedding version; a segment
 * is ready while one of its endpoints is. The front reaches it through the Service's DNS name (the
 * segment controller keeps the Service port equal to the container port). Nothing is polled per
 * query: the watch keeps the set current, and the informer is restarted if the watch fails.
 */
import * as k8s from "@kubernetes/client-node";
import { embeddingVersionLabel, K8S, SEARCH_COMPONENT, SEGMENT_GRPC_PORT } from "../../shared/conventions";
import type { Logger } from "../../shared/log";
import { parseWindow, type Tier } from "../build/windows";
import type { DiscoveredSegment, Discovery } from "./discovery";

const TIERS: readonly string[] = ["hourly", "daily", "monthly"];

/** A window's name as the repository writes it (`2026-11-02T10`, `2026-11-02`, `2026-11`) → its start. */
export function parseWindowName(tier: Tier, name: string): Date | undefined {
  try {
    const w = parseWindow(tier, name);
    return w.name === name ? w.start : undefined;
  } catch {
    return undefined;
  }
}

/** The segment an EndpointSlice stands for, or why it is not one. */
export function segmentOfSlice(
  slice: k8s.V1EndpointSlice,
  namespace: string,
  versionOf: (label: string) => string = (label) => label,
): DiscoveredSegment | string {
  const labels = slice.metadata?.labels ?? {};
  const service = labels["kubernetes.io/service-name"];
  const tier = labels[K8S.searchTier];
  const window = labels[K8S.segmentWindow];
  const version = labels[K8S.embeddingVersion];
  const name = slice.metadata?.name ?? "?";
  if (!service) return `EndpointSlice ${name}: no kubernetes.io/service-name label`;
  if (!tier || !TIERS.includes(tier)) return `EndpointSlice ${name}: ${K8S.searchTier}="${tier ?? ""}" is not a tier`;
  const start = window === undefined ? undefined : parseWindowName(tier as Tier, window);
  if (start === undefined)
    return `EndpointSlice ${name}: ${K8S.segmentWindow}="${window ?? ""}" is not a ${tier} window`;
  if (!version) return `EndpointSlice ${name}: no ${K8S.embeddingVersion} label`;
  const embeddingVersion = versionOf(version);
  const port = (slice.ports ?? []).find((p) => p.name === SEGMENT_GRPC_PORT.name)?.port;
  if (port === undefined) return `EndpointSlice ${name}: no port named ${SEGMENT_GRPC_PORT.name}`;
  return {
    id: `${tier}/${window}/${embeddingVersion}`,
    tier: tier as Tier,
    start,
    embeddingVersion,
    address: `${service}.${namespace}.svc:${port}`,
  };
}

const ready = (slice: k8s.V1EndpointSlice) => (slice.endpoints ?? []).some((e) => e.conditions?.ready !== false);

export class KubernetesDiscovery implements Discovery {
  private readonly listeners: ((segments: DiscoveredSegment[]) => void)[] = [];
  private readonly informer: k8s.Informer<k8s.V1EndpointSlice> & k8s.ObjectCache<k8s.V1EndpointSlice>;
  private stopped = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly reported = new Set<string>();

  private readonly versionOf: (label: string) => string;

  /** `versions`: the embedding versions the front can embed, so their labels map back to them. */
  constructor(
    kubeconfig: k8s.KubeConfig,
    private readonly namespace: string,
    private readonly log: Logger,
    versions: readonly string[] = [],
    selector = `${K8S.component}=${SEARCH_COMPONENT.indexService}`,
  ) {
    const byLabel = new Map(versions.map((v) => [embeddingVersionLabel(v), v]));
    this.versionOf = (label) => byLabel.get(label) ?? label;
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
      this.log.warn({ err: String(err) }, "segment watch failed; restarting in 1 s");
      this.restartTimer = setTimeout(() => this.informer.start().catch(() => undefined), 1_000);
    });
  }

  /** Lists the current slices and starts watching; resolves once the first list is in. */
  async start(): Promise<this> {
    await this.informer.start();
    this.changed();
    return this;
  }

  current(): DiscoveredSegment[] {
    const segments: DiscoveredSegment[] = [];
    for (const slice of this.informer.list(this.namespace)) {
      if (!ready(slice)) continue;
      const segment = segmentOfSlice(slice, this.namespace, this.versionOf);
      if (typeof segment === "string") {
        if (!this.reported.has(segment)) this.log.warn(segment); // once per problem, not per query
        this.reported.add(segment);
        continue;
      }
      segments.push(segment);
    }
    return segments;
  }

  onChange(listener: (segments: DiscoveredSegment[]) => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    await this.informer.stop();
  }

  private changed(): void {
    const segments = this.current();
    for (const listener of this.listeners) listener(segments);
  }
}
