/**
 * Leader election through a `coordination.k8s.io/v1` Lease, the way client-go's elector works:
 * a candidate creates the Lease or, once its holder has not renewed it for `leaseDurationSeconds`,
 * takes it over (an update carrying the resourceVersion it read, so two candidates cannot both
 * win); the leader renews every `retryPeriodMs` and stops leading if it could not renew within
 * `renewDeadlineMs`; `release()` on shutdown hands the Lease on at once instead of after expiry.
 */
import * as k8s from "@kubernetes/client-node";
import type { Logger } from "../../shared/log";

export interface LeaderElectionOptions {
  namespace: string;
  /** The Lease's name. */
  name: string;
  /** This candidate's identity (the pod's name). */
  identity: string;
  /** How long a Lease is valid after its last renewal, s. */
  leaseDurationSeconds: number;
  /** How long the leader keeps trying to renew before it gives up leading, ms (below the lease duration). */
  renewDeadlineMs: number;
  /** Interval between attempts to acquire or renew, ms. */
  retryPeriodMs: number;
}

export interface LeaderCallbacks {
  onStartedLeading(): void | Promise<void>;
  /** Called when leadership is lost (or released): the process must stop acting. */
  onStoppedLeading(): void | Promise<void>;
}

const status = (err: unknown): number | undefined => (err as { code?: number }).code;

export class LeaderElector {
  private readonly api: k8s.CoordinationV1Api;
  private leading = false;
  private lastRenew = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private tick: Promise<void> = Promise.resolve();

  constructor(
    kubeconfig: k8s.KubeConfig,
    private readonly options: LeaderElectionOptions,
    private readonly callbacks: LeaderCallbacks,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {
    if (options.renewDeadlineMs >= options.leaseDurationSeconds * 1000)
      throw new Error("LeaderElector renewDeadlineMs must be below leaseDurationSeconds");
    this.api = kubeconfig.makeApiClient(k8s.CoordinationV1Api);
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    const loop = () => {
      this.tick = this.attempt().finally(() => {
        if (!this.stopped) this.timer = setTimeout(loop, this.options.retryPeriodMs);
      });
    };
    loop();
  }

  /** Stops campaigning; a leader gives the Lease up (holder cleared, duration 1 s) so another takes over now. */
  async release(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.tick;
    if (!this.leading) return;
    try {
      const lease = await this.read();
      if (lease?.spec?.holderIdentity === this.options.identity) {
        lease.spec = { ...lease.spec, holderIdentity: undefined, leaseDurationSeconds: 1, renewTime: this.micro() };
        await this.api.replaceNamespacedLease({
          name: this.options.name,
          namespace: this.options.namespace,
          body: lease,
        });
      }
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, "lease release failed; it expires instead");
    }
    await this.lose("released");
  }

  private micro(): k8s.V1MicroTime {
    return new k8s.V1MicroTime(this.now().toISOString());
  }

  private async read(): Promise<k8s.V1Lease | undefined> {
    try {
      return await this.api.readNamespacedLease({ name: this.options.name, namespace: this.options.namespace });
    } catch (err) {
      if (status(err) === 404) return undefined;
      throw err;
    }
  }

  private async attempt(): Promise<void> {
    try {
      if (await this.tryAcquireOrRenew()) {
        this.lastRenew = Date.now();
        if (!this.leading) {
          this.leading = true;
          this.log.info({ lease: this.options.name, identity: this.options.identity }, "leading");
          // Not awaited: renewing must go on while the leader fills its caches, or a slow start loses the Lease.
          void Promise.resolve(this.callbacks.onStartedLeading()).catch((err: Error) =>
            this.log.error({ err: err.message }, "starting to lead failed"),
          );
        }
        return;
      }
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, "lease acquire/renew failed");
    }
    if (this.leading && Date.now() - this.lastRenew > this.options.renewDeadlineMs)
      await this.lose("renew deadline passed");
  }

  private async lose(why: string): Promise<void> {
    if (!this.leading) return;
    this.leading = false;
    (why === "released" ? this.log.info : this.log.warn).call(
      this.log,
      { lease: this.options.name, why },
      "stopped leading",
    );
    await this.callbacks.onStoppedLeading();
  }

  /** True when this candidate holds the Lease after the call. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { name, namespace, identity, leaseDurationSeconds } = this.options;
    const now = this.micro();
    const lease = await this.read();
    if (!lease) {
      try {
        await this.api.createNamespacedLease({
          namespace,
          body: {
            metadata: { name, namespace },
            spec: {
              holderIdentity: identity,
              leaseDurationSeconds,
              acquireTime: now,
              renewTime: now,
              leaseTransitions: 0,
            },
          },
        });
        return true;
      } catch (err) {
        if (status(err) === 409) return false; // another candidate created it first
        throw err;
      }
    }
    const spec = lease.spec ?? {};
    const held = spec.holderIdentity === identity;
    const renewed = spec.renewTime ? new Date(spec.renewTime as unknown as string).getTime() : 0;
    const expired = !spec.holderIdentity || renewed + (spec.leaseDurationSeconds ?? 0) * 1000 < this.now().getTime();
    if (!held && !expired) return false;
    lease.spec = {
      ...spec,
      holderIdentity: identity,
      leaseDurationSeconds,
      renewTime: now,
      ...(held ? {} : { acquireTime: now, leaseTransitions: (spec.leaseTransitions ?? 0) + 1 }),
    };
    try {
      await this.api.replaceNamespacedLease({ name, namespace, body: lease });
      return true;
    } catch (err) {
      if (status(err) === 409) return false; // changed since read: someone else renewed or took it
      throw err;
    }
  }
}
