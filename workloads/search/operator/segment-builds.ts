/**
 * The SegmentBuild reconciler: each SegmentBuild gets one Job (build-job.ts), whose progress and
 * outcome it writes to the SegmentBuild's status (outcome.ts). The Job's pod is the tier's
 * PodTemplate, read (GET) when the Job is made, so an edit of the template applies to the next
 * build; a missing or refused template fails the build with a reason naming it. It holds a
 * finalizer on every SegmentBuild so that deleting one mid-run deletes its Job in the foreground (the Job goes only
 * once its pods are gone) before the SegmentBuild goes. A finished build is a record: its Job may
 * expire (ttlSecondsAfterFinished) without being made again.
 *
 * Driven by three informers (SegmentBuilds, and the Jobs and pods carrying the build label, each
 * event queueing its SegmentBuild's name), a resync that queues every SegmentBuild, and a work
 * queue with per-key backoff.
 */
import * as k8s from "@kubernetes/client-node";
import type { Logger } from "../../shared/log";
import {
  GROUP,
  SEGMENT_BUILD,
  SEGMENT_BUILD_FINALIZER,
  SEGMENT_BUILD_LABEL,
  VERSION,
  type SegmentBuild,
} from "../crds/types";
import { buildJob, TIER_LABEL } from "./build-job";
import { RestartingInformer } from "./informer";
import { buildPodFrom, type BuildJobs, type BuildPod } from "./job-template";
import { finished, jobActive, refusedStatus, statusFor, WAITING, waitingStatus } from "./outcome";
import { WorkQueue } from "./queue";
import { StatusWriter } from "./status";

export interface SegmentBuildReconcilerOptions {
  namespace: string;
  /** Per tier, the Job settings and the PodTemplate to read its pod from. */
  jobs: BuildJobs;
  /** How often every SegmentBuild is queued again, whatever the events, ms. */
  resyncMs: number;
  /** SegmentBuilds reconciled at once. */
  workers: number;
  log: Logger;
  now?: () => Date;
}

const code = (err: unknown) => (err as { code?: number }).code;
const jsonPatch = () => k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.JsonPatch);

export class SegmentBuildReconciler {
  private readonly custom: k8s.CustomObjectsApi;
  private readonly batch: k8s.BatchV1Api;
  private readonly core: k8s.CoreV1Api;
  private readonly status: StatusWriter;
  private readonly queue: WorkQueue;
  private readonly builds: RestartingInformer<SegmentBuild & k8s.KubernetesObject>;
  private readonly jobs: RestartingInformer<k8s.V1Job>;
  private readonly pods: RestartingInformer<k8s.V1Pod>;
  private resync: NodeJS.Timeout | undefined;
  private readonly now: () => Date;

  constructor(
    kubeconfig: k8s.KubeConfig,
    private readonly options: SegmentBuildReconcilerOptions,
  ) {
    const ns = options.namespace;
    this.now = options.now ?? (() => new Date());
    this.custom = kubeconfig.makeApiClient(k8s.CustomObjectsApi);
    this.batch = kubeconfig.makeApiClient(k8s.BatchV1Api);
    this.core = kubeconfig.makeApiClient(k8s.CoreV1Api);
    this.status = new StatusWriter(kubeconfig, SEGMENT_BUILD.plural);
    this.queue = new WorkQueue(
      (name) => this.reconcile(name),
      { workers: options.workers, baseDelayMs: 50, maxDelayMs: 30_000 },
      (key, err, retryInMs) => options.log.warn({ segmentBuild: key, err: err.message, retryInMs }, "reconcile failed"),
    );
    const byLabel = (o: k8s.KubernetesObject) => {
      const owner = o.metadata?.labels?.[SEGMENT_BUILD_LABEL];
      if (owner) this.queue.add(owner);
    };
    const onJob = (job: k8s.V1Job) => {
      byLabel(job);
      // A Job that ended (or went) frees its tier: queue the builds waiting for it.
      const tier = job.metadata?.labels?.[TIER_LABEL];
      if (!jobActive(job) || job.metadata?.deletionTimestamp)
        for (const sb of this.builds.cache.list(ns) as SegmentBuild[])
          if (sb.spec.tier === tier && sb.status?.reason === WAITING) this.queue.add(sb.metadata.name);
    };
    const selector = SEGMENT_BUILD_LABEL;
    this.builds = new RestartingInformer(
      kubeconfig,
      {
        name: SEGMENT_BUILD.plural,
        path: `/apis/${GROUP}/${VERSION}/namespaces/${ns}/${SEGMENT_BUILD.plural}`,
        list: () =>
          this.custom.listNamespacedCustomObject({
            group: GROUP,
            version: VERSION,
            namespace: ns,
            plural: SEGMENT_BUILD.plural,
          }),
      },
      (sb) => this.queue.add(sb.metadata?.name as string),
      options.log,
    );
    this.jobs = new RestartingInformer(
      kubeconfig,
      {
        name: "jobs",
        path: `/apis/batch/v1/namespaces/${ns}/jobs`,
        list: () => this.batch.listNamespacedJob({ namespace: ns, labelSelector: selector }),
        labelSelector: selector,
      },
      onJob,
      options.log,
    );
    this.pods = new RestartingInformer(
      kubeconfig,
      {
        name: "pods",
        path: `/api/v1/namespaces/${ns}/pods`,
        list: () => this.core.listNamespacedPod({ namespace: ns, labelSelector: selector }),
        labelSelector: selector,
      },
      byLabel,
      options.log,
    );
  }

  /** Fills the caches (Jobs and pods first, so the first SegmentBuild events see them) and starts working. */
  async start(): Promise<void> {
    await Promise.all([this.jobs.start(), this.pods.start()]);
    await this.builds.start();
    this.resync = setInterval(() => {
      for (const sb of this.builds.cache.list(this.options.namespace)) this.queue.add(sb.metadata.name);
    }, this.options.resyncMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.resync);
    await Promise.all([this.builds.stop(), this.jobs.stop(), this.pods.stop()]);
    await this.queue.stop();
  }

  /** The tier's Jobs still running (or about to). */
  private activeJobs(tier: string): k8s.V1Job[] {
    return this.jobs.cache
      .list(this.options.namespace)
      .filter((j) => j.metadata?.labels?.[TIER_LABEL] === tier && jobActive(j));
  }

  /** SegmentBuilds queued or being reconciled. */
  get backlog(): number {
    return this.queue.depth;
  }

  private async reconcile(name: string): Promise<void | { requeueAfterMs: number }> {
    const ns = this.options.namespace;
    let sb = this.builds.cache.get(name, ns) as SegmentBuild | undefined;
    if (!sb) return; // gone: its finalizer saw its Job out first
    const log = this.options.log.child({ segmentBuild: name });
    const finalizers = sb.metadata.finalizers ?? [];
    if (sb.metadata.deletionTimestamp) {
      if (!finalizers.includes(SEGMENT_BUILD_FINALIZER)) return;
      return this.cleanUp(sb, log);
    }
    if (!finalizers.includes(SEGMENT_BUILD_FINALIZER)) {
      // Go on with the patched object: its Job is made in this same pass, not after the update event.
      sb = (await this.custom.patchNamespacedCustomObject(
        {
          group: GROUP,
          version: VERSION,
          namespace: ns,
          plural: SEGMENT_BUILD.plural,
          name,
          body: sb.metadata.finalizers
            ? [{ op: "add", path: "/metadata/finalizers/-", value: SEGMENT_BUILD_FINALIZER }]
            : [{ op: "add", path: "/metadata/finalizers", value: [SEGMENT_BUILD_FINALIZER] }],
        },
        jsonPatch(),
      )) as SegmentBuild;
    }
    if (finished(sb) && sb.status?.observedGeneration === sb.metadata.generation) return;

    const source = this.options.jobs.source;
    if (sb.spec.source && sb.spec.source !== source) {
      const message = `spec.source ${sb.spec.source}: this operator builds into ${source} only`;
      await this.status.write(sb, refusedStatus(sb, "SourceMismatch", message, this.now()));
      return;
    }
    let job = this.jobs.cache.get(name, ns);
    if (!job) {
      const running = this.activeJobs(sb.spec.tier).filter((j) => j.metadata?.name !== name);
      const tier = this.options.jobs.tiers[sb.spec.tier];
      if (running.length >= tier.maxConcurrent) {
        const message = `waiting for ${running.map((j) => j.metadata?.name).join(", ")} (${sb.spec.tier} builds run ${tier.maxConcurrent} at a time)`;
        await this.status.write(sb, waitingStatus(sb, message, this.now()));
        return { requeueAfterMs: 30_000 }; // a finishing Job of the tier queues it sooner
      }
      const pod = await this.buildPod(tier.podTemplate);
      if ("refused" in pod) {
        await this.status.write(sb, refusedStatus(sb, pod.reason, pod.refused, this.now()));
        log.warn({ podTemplate: tier.podTemplate, reason: pod.reason, message: pod.refused }, "build refused");
        return;
      }
      try {
        job = await this.batch.createNamespacedJob({ namespace: ns, body: buildJob(sb, tier, pod) });
        log.info({ job: name, tier: sb.spec.tier, window: sb.spec.window }, "job created");
      } catch (err) {
        if (code(err) !== 409) throw err;
        job = await this.batch.readNamespacedJob({ name, namespace: ns }); // created by an earlier pass; cache behind
      }
    }
    const owner = job.metadata?.ownerReferences?.find((o) => o.controller);
    if (owner?.uid !== sb.metadata.uid) {
      const message = `Job ${name} exists and is not this SegmentBuild's: delete it or use another name`;
      await this.status.write(sb, refusedStatus(sb, "JobNameTaken", message, this.now()));
      return;
    }
    const pods = this.pods.cache.list(ns).filter((p) => p.metadata?.labels?.[SEGMENT_BUILD_LABEL] === name);
    const status = statusFor(sb, job, pods, this.now());
    if (await this.status.write(sb, status)) log.info({ phase: status.phase, reason: status.reason }, "status written");
  }

  /**
   * The tier's build pod from its PodTemplate, or why there is none: missing (404), or a pod
   * PodSecurity `restricted` would not admit. Any other error is thrown, and the work queue retries.
   */
  private async buildPod(name: string): Promise<BuildPod | { reason: string; refused: string }> {
    const ns = this.options.namespace;
    let template: k8s.V1PodTemplate;
    try {
      template = await this.core.readNamespacedPodTemplate({ name, namespace: ns });
    } catch (err) {
      if (code(err) !== 404) throw err;
      return { reason: "PodTemplateMissing", refused: `PodTemplate ${name} not found in namespace ${ns}` };
    }
    try {
      return buildPodFrom(template);
    } catch (err) {
      return { reason: "PodTemplateRefused", refused: (err as Error).message };
    }
  }

  /** Deletes the Job in the foreground, waits until it and its pods are gone, then lets the SegmentBuild go. */
  private async cleanUp(sb: SegmentBuild, log: Logger): Promise<{ requeueAfterMs: number } | void> {
    const ns = this.options.namespace;
    const name = sb.metadata.name;
    let job: k8s.V1Job | undefined;
    try {
      job = await this.batch.readNamespacedJob({ name, namespace: ns });
    } catch (err) {
      if (code(err) !== 404) throw err;
    }
    const ours = job?.metadata?.ownerReferences?.some((o) => o.uid === sb.metadata.uid);
    if (job && ours) {
      if (!job.metadata?.deletionTimestamp) {
        await this.batch.deleteNamespacedJob({ name, namespace: ns, propagationPolicy: "Foreground" });
        log.info({ job: name }, "deleting job (foreground) before the SegmentBuild goes");
      }
      return { requeueAfterMs: 250 };
    }
    const pods = await this.core.listNamespacedPod({ namespace: ns, labelSelector: `${SEGMENT_BUILD_LABEL}=${name}` });
    if (pods.items.length > 0) return { requeueAfterMs: 250 };
    const finalizers = sb.metadata.finalizers ?? [];
    await this.custom.patchNamespacedCustomObject(
      {
        group: GROUP,
        version: VERSION,
        namespace: ns,
        plural: SEGMENT_BUILD.plural,
        name,
        body: [
          { op: "test", path: "/metadata/finalizers", value: finalizers },
          {
            op: "replace",
            path: "/metadata/finalizers",
            value: finalizers.filter((f) => f !== SEGMENT_BUILD_FINALIZER),
          },
        ],
      },
      jsonPatch(),
    );
    log.info("job and pods gone; finalizer removed");
  }
}
