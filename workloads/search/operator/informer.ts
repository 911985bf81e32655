/**
 * A list+watch informer (`makeInformer` of @kubernetes/client-node) that restarts itself: the
 * library reconnects a watch that ends, but stops on an error (an API server restart, a
 * refused list); this restarts it with exponential backoff and calls `onEvent` with each
 * object added, changed or deleted.
 */
import * as k8s from "@kubernetes/client-node";
import type { Logger } from "../../shared/log";

export interface WatchedKind<T extends k8s.KubernetesObject> {
  /** What the logs call it. */
  name: string;
  /** The watch path, e.g. `/apis/batch/v1/namespaces/search/jobs`. */
  path: string;
  list: () => Promise<k8s.KubernetesListObject<T>>;
  labelSelector?: string;
}

export class RestartingInformer<T extends k8s.KubernetesObject> {
  private readonly informer: k8s.Informer<T> & k8s.ObjectCache<T>;
  private stopped = false;
  private starting = false;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    kubeconfig: k8s.KubeConfig,
    private readonly kind: WatchedKind<T>,
    onEvent: (object: T) => void,
    private readonly log: Logger,
    private readonly maxBackoffMs = 30_000,
  ) {
    this.informer = k8s.makeInformer(kubeconfig, kind.path, kind.list, kind.labelSelector);
    for (const verb of [k8s.ADD, k8s.UPDATE, k8s.DELETE] as const) this.informer.on(verb, onEvent);
    this.informer.on(k8s.CONNECT, () => {
      this.failures = 0;
    });
    this.informer.on(k8s.ERROR, (err?: Error) => {
      if (this.stopped || this.starting) return;
      const delay = Math.min(this.maxBackoffMs, 500 * 2 ** this.failures++);
      this.log.warn({ kind: this.kind.name, err: err?.message, retryInMs: delay }, "watch failed; restarting");
      this.timer = setTimeout(() => void this.informer.start().catch(() => undefined), delay);
    });
  }

  /**
   * Lists (filling the cache) and starts watching; resolves once a list has succeeded, retrying
   * with backoff until then (a just-established CRD answers 429 until its watch cache is ready).
   */
  async start(): Promise<void> {
    this.starting = true;
    try {
      for (let attempt = 0; !this.stopped; attempt++) {
        let failed: Error | undefined;
        const onError = (err?: Error) => {
          failed = err ?? new Error("list failed");
        };
        this.informer.on(k8s.ERROR, onError);
        await this.informer.start();
        this.informer.off(k8s.ERROR, onError);
        if (!failed) return;
        const delay = Math.min(this.maxBackoffMs, 100 * 2 ** attempt);
        this.log.warn(
          { kind: this.kind.name, err: (failed as Error).message, retryInMs: delay },
          "list failed; retrying",
        );
        await new Promise((r) => setTimeout(r, delay));
      }
    } finally {
      this.starting = false;
    }
  }

  get cache(): k8s.ObjectCache<T> {
    return this.informer;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.informer.stop();
  }
}
