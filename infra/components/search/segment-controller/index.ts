/**
 * The segment controller, the IndexServing object it serves from, and the identity of the shard
 * hosts it runs. The controller reads the IndexServing's spec and the asset repository's pointers
 * and manifests and server-side-applies, per shard host, a ConfigMap (its assignment), a
 * Deployment, a Service and a PodDisruptionBudget in the search namespace, all owned by the
 * IndexServing, and reports in its status; its RBAC covers those four kinds, reading the
 * IndexServing and writing its status there and nothing else (the rules are the controller's own,
 * `workloads/search/controller/rbac.ts`). Shard hosts run as their own service account, which may
 * only read segment files by key.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  controllerRoleRules,
  environmentFor,
  type ControllerSettingsInput,
} from "../../../../workloads/search/controller/config";
import { API_VERSION, INDEX_SERVING, type IndexServingSpec } from "../../../../workloads/search/crds/types";
import { POINTERS_PREFIX, SEGMENTS_PREFIX } from "../../../../workloads/search/segments/keys";
import type { BucketHandle } from "../../blocks/handles";
import type { PodIdentity } from "../../blocks/pod-identity";
import { containerEnv, podWorkload, type ContainerResources, type WorkloadPlacement } from "../../blocks/pod-workload";
import { K8S, SEARCH_COMPONENT, searchLabels } from "../../../../workloads/shared/conventions";
import { opsServer } from "../ops-server";

export interface SegmentControllerArgs extends ContainerResources {
  placement: WorkloadPlacement;
  region: string;
  /** Pinned image of the controller. */
  image: string;
  /** Non-root uid of the controller's pods and of the shard hosts it runs. */
  uid: number;
  /**
   * The controller's own settings (its env contract, `workloads/search/controller/config.ts`): the
   * shard hosts' ports, but those the component owns: `namespace`, `assetBucket`, `indexServing`,
   * `hostServiceAccount` and `hostUid` (the pods' uid). `opsPort` serves its probes.
   */
  settings: Omit<
    ControllerSettingsInput,
    "namespace" | "assetBucket" | "indexServing" | "hostServiceAccount" | "hostUid"
  > & {
    opsPort: number;
  };
  /** The IndexServing object the controller serves from: its name and the shard hosts' serving spec. */
  indexServing: { name: string; spec: IndexServingSpec };
  /** The search CRDs: the IndexServing is created once they are. */
  definitions: pulumi.Resource;
  /** Read: pointers and manifests (the controller), segment files (the hosts). */
  assetRepository: BucketHandle;
}

const NAME = "segment-controller";
export const SHARD_HOST_SERVICE_ACCOUNT = "shard-host";

export class SegmentController extends pulumi.ComponentResource {
  readonly deployment: k8s.apps.v1.Deployment;
  readonly hostIdentity: PodIdentity;

  constructor(name: string, args: SegmentControllerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:search:SegmentController", name, {}, opts);
    const child = { parent: this };
    const ns = args.placement.namespace;
    const labels = searchLabels(SEARCH_COMPONENT.controller, NAME);
    // Only the component label: the same selector the front's network policies use.
    const hostLabels = { [K8S.component]: SEARCH_COMPONENT.shardHost };
    const repo = args.assetRepository.arn;

    const workload = podWorkload(
      name,
      {
        placement: args.placement,
        serviceAccount: NAME,
        labels,
        egressPolicy: "segment-controller-https",
        description: "Search segment controller: list pointers and read published manifests in the asset repository",
        statements: [
          {
            // Manifests are read by the version a pointer names (GetObjectVersion).
            Sid: "ReadPointersAndManifests",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:GetObjectVersion"],
            Resource: [
              pulumi.interpolate`${repo}/${POINTERS_PREFIX}*`,
              pulumi.interpolate`${repo}/${SEGMENTS_PREFIX}*`,
            ],
          },
          {
            Sid: "ListPointers",
            Effect: "Allow",
            Action: ["s3:ListBucket"],
            Resource: [repo],
            Condition: { StringLike: { "s3:prefix": [`${POINTERS_PREFIX}*`] } },
          },
        ],
      },
      child,
    );
    // The hosts' pods are the controller's to write (workloads/search/controller/desired.ts): here
    // only the account they run as and their way out. They read a manifest and its files by key.
    this.hostIdentity = podWorkload(
      `${name}-shard-host`,
      {
        placement: args.placement,
        serviceAccount: SHARD_HOST_SERVICE_ACCOUNT,
        labels: hostLabels,
        egressPolicy: "shard-hosts-https",
        description: "Search shard hosts: read segment manifests and files in the asset repository",
        statements: [
          {
            Sid: "ReadSegments",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:GetObjectVersion"],
            Resource: [pulumi.interpolate`${repo}/${SEGMENTS_PREFIX}*`],
          },
        ],
      },
      child,
    ).identity;
    const role = new k8s.rbac.v1.Role(
      name,
      { metadata: { name: NAME, namespace: ns, labels }, rules: controllerRoleRules() },
      child,
    );
    new k8s.rbac.v1.RoleBinding(
      name,
      {
        metadata: { name: NAME, namespace: ns, labels },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: NAME },
        subjects: [{ kind: "ServiceAccount", name: NAME, namespace: ns }],
      },
      { ...child, dependsOn: [role] },
    );

    new k8s.apiextensions.CustomResource(
      `${name}-index-serving`,
      {
        apiVersion: API_VERSION,
        kind: INDEX_SERVING.kind,
        metadata: { name: args.indexServing.name, namespace: ns, labels },
        spec: args.indexServing.spec,
      },
      { ...child, dependsOn: [args.definitions] },
    );

    const { opsPort, ...rest } = args.settings;
    const environment = pulumi.output(args.assetRepository.bucket).apply((assetBucket) =>
      environmentFor({
        namespace: ns,
        assetBucket,
        opsPort,
        indexServing: args.indexServing.name,
        hostServiceAccount: SHARD_HOST_SERVICE_ACCOUNT,
        hostUid: args.uid,
        ...rest,
      }),
    );
    const ops = opsServer(opsPort, { readinessSeconds: 10, livenessSeconds: 20 });
    this.deployment = new k8s.apps.v1.Deployment(
      name,
      {
        metadata: { name: NAME, namespace: ns, labels },
        spec: {
          // One writer: two controllers would apply and delete the same objects against each other.
          replicas: 1,
          strategy: { type: "Recreate" },
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              // The controller applies the hosts' objects: it needs its token.
              ...workload.pod(args.uid, { automountToken: true }),
              containers: [
                {
                  name: "controller",
                  image: args.image,
                  ports: [ops.port],
                  env: containerEnv(args.region, environment),
                  ...ops.probes,
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
      { ...child, dependsOn: [workload.identity, role] },
    );
    this.registerOutputs({
      deployment: NAME,
      indexServing: args.indexServing.name,
      hostServiceAccount: SHARD_HOST_SERVICE_ACCOUNT,
    });
  }
}
