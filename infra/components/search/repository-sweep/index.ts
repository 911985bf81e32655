/**
 * The asset repository's sweep (workloads/search/sweep/sweep.ts) as a CronJob: once a day it
 * deletes the build prefixes under `segments/` that nothing references past the grace period.
 * Its role lists the repository, reads pointers, manifests and run records, and deletes under
 * `segments/` only: it cannot delete a version for good (no DeleteObjectVersion), so what it
 * deletes stays a noncurrent version until the bucket's noncurrent-version rule expires it.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { environmentFor, type SweepSettings } from "../../../../workloads/search/sweep/config";
import { searchLabels } from "../../../../workloads/shared/conventions";
import type { BucketHandle } from "../../blocks/handles";
import type { PodIdentity } from "../../blocks/pod-identity";
import { containerEnv, podWorkload, type ContainerResources, type WorkloadPlacement } from "../../blocks/pod-workload";

export interface RepositorySweepArgs extends ContainerResources {
  placement: WorkloadPlacement;
  region: string;
  /** Pinned image whose entry point runs the sweep program (sweep/main.ts). */
  image: string;
  /** Non-root uid the pod runs as. */
  uid: number;
  /** The asset repository: listed, read (pointers, manifests, run records), deleted under `segments/`. */
  assetRepository: BucketHandle;
  /** Cron schedule, UTC. */
  schedule: string;
  /** Seconds a run may take before it is stopped. */
  activeDeadlineSeconds: number;
  /** The sweep's settings but the bucket: grace period, stale-run limit, dry run. */
  settings: Omit<SweepSettings, "assetBucket">;
}

const SERVICE_ACCOUNT = "repository-sweep";

export class RepositorySweep extends pulumi.ComponentResource {
  readonly cronJob: k8s.batch.v1.CronJob;
  readonly identity: PodIdentity;

  constructor(name: string, args: RepositorySweepArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:search:RepositorySweep", name, {}, opts);
    const child = { parent: this };
    const labels = searchLabels("repository-sweep");
    const bucket = args.assetRepository.arn;
    const workload = podWorkload(
      name,
      {
        placement: args.placement,
        serviceAccount: SERVICE_ACCOUNT,
        labels,
        egressPolicy: "repository-sweep-https",
        description: "Search repository sweep: reads pointers, manifests and run records; deletes under segments/",
        statements: [
          {
            Sid: "ListRepository",
            Effect: "Allow",
            Action: ["s3:ListBucket"],
            Resource: [bucket],
            Condition: { StringLike: { "s3:prefix": ["segments/*", "pointers/*", "runs/*"] } },
          },
          {
            Sid: "ReadReferences",
            Effect: "Allow",
            // A pointer names its manifest by version id.
            Action: ["s3:GetObject", "s3:GetObjectVersion"],
            Resource: [
              pulumi.interpolate`${bucket}/pointers/*`,
              pulumi.interpolate`${bucket}/runs/*`,
              pulumi.interpolate`${bucket}/segments/*/manifest.json`,
            ],
          },
          {
            Sid: "DeleteSegments",
            Effect: "Allow",
            Action: ["s3:DeleteObject"],
            Resource: [pulumi.interpolate`${bucket}/segments/*`],
          },
        ],
      },
      child,
    );
    this.identity = workload.identity;
    const environment = pulumi
      .output(args.assetRepository.bucket)
      .apply((assetBucket) => environmentFor({ ...args.settings, assetBucket }));

    this.cronJob = new k8s.batch.v1.CronJob(
      name,
      {
        metadata: { name: "repository-sweep", namespace: args.placement.namespace, labels },
        spec: {
          schedule: args.schedule,
          timeZone: "Etc/UTC",
          concurrencyPolicy: "Forbid",
          startingDeadlineSeconds: 3600,
          successfulJobsHistoryLimit: 3,
          failedJobsHistoryLimit: 3,
          jobTemplate: {
            metadata: { labels },
            spec: {
              activeDeadlineSeconds: args.activeDeadlineSeconds,
              // A failed sweep deleted nothing it should not have; the next schedule tries again.
              backoffLimit: 0,
              ttlSecondsAfterFinished: 86400,
              template: {
                metadata: { labels },
                spec: {
                  ...workload.pod(args.uid, { automountToken: false }),
                  restartPolicy: "Never",
                  containers: [
                    {
                      name: "sweep",
                      image: args.image,
                      env: containerEnv(args.region, environment),
                      securityContext: workload.containerSecurityContext,
                      resources: { requests: args.requests, limits: args.limits },
                      volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                    },
                  ],
                  volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
                },
              },
            },
          },
        },
      },
      { ...child, dependsOn: [workload.identity] },
    );
    this.registerOutputs({ cronJob: this.cronJob.metadata.name });
  }
}
