/**
 * The segment controller and the identity of the index services it runs. The controller watches
 * the asset repository's published manifests and server-side-applies one Deployment and Service
 * per live segment in the search namespace; its RBAC covers those two kinds there and nothing
 * else. Index services run as their own service account, which may only read the repository.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { environmentFor, type ControllerSettingsInput } from "../../../../workloads/search/controller/config";
import type { PodIdentity } from "../../blocks/pod-identity";
import { containerEnv, podWorkload, type WorkloadPlacement } from "../../blocks/pod-workload";
import { K8S, SEARCH_COMPONENT } from "../../../../workloads/shared/conventions";

export interface SegmentControllerArgs extends WorkloadPlacement {
  region: string;
  /** Pinned image of the controller. */
  image: string;
  /** Non-root uid of the controller's pods and of the index services it runs. */
  uid: number;
  /**
   * The controller's own settings (its env contract, `workloads/search/controller/config.ts`), with
   * the index services' image, gRPC port and resources, but those the component owns: `namespace`,
   * `assetBucket`, `indexServiceAccount` and `indexUid` (the pods' uid). `opsPort` serves its probes.
   */
  settings: Omit<ControllerSettingsInput, "namespace" | "assetBucket" | "indexServiceAccount" | "indexUid"> & {
    opsPort: number;
  };
  /** Read: manifests and segment files. */
  assetRepository: { name: pulumi.Input<string>; arn: pulumi.Input<string> };
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}

const NAME = "segment-controller";
export const INDEX_SERVICE_ACCOUNT = "index-service";

export class SegmentController extends pulumi.ComponentResource {
  readonly deployment: k8s.apps.v1.Deployment;
  readonly indexIdentity: PodIdentity;

  constructor(name: string, args: SegmentControllerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:search:SegmentController", name, {}, opts);
    const child = { parent: this };
    const ns = args.namespace;
    const labels = { [K8S.name]: NAME, [K8S.component]: SEARCH_COMPONENT.controller, [K8S.partOf]: "search" };
    // Only the component label: the same selector the front and its network policies use.
    const indexLabels = { [K8S.component]: SEARCH_COMPONENT.indexService };
    const readRepository = (who: string) => [
      {
        Sid: `${who}ReadAssetRepository`,
        Effect: "Allow" as const,
        Action: ["s3:GetObject"],
        Resource: [pulumi.interpolate`${args.assetRepository.arn}/*`],
      },
      {
        Sid: `${who}ListAssetRepository`,
        Effect: "Allow" as const,
        Action: ["s3:ListBucket"],
        Resource: [args.assetRepository.arn],
      },
    ];

    const placement = { clusterName: args.clusterName, accountId: args.accountId, namespace: ns };
    const workload = podWorkload(
      name,
      {
        ...placement,
        serviceAccount: NAME,
        labels,
        egressPolicy: "segment-controller-https",
        description: "Search segment controller: read published manifests in the asset repository",
        statements: readRepository("Controller"),
      },
      child,
    );
    // The index services' pods are the controller's to write (workloads/search/controller/desired.ts):
    // here only the account they run as and their way out.
    this.indexIdentity = podWorkload(
      `${name}-index`,
      {
        ...placement,
        serviceAccount: INDEX_SERVICE_ACCOUNT,
        labels: indexLabels,
        egressPolicy: "index-services-https",
        description: "Search index services: read segments in the asset repository",
        statements: readRepository("Index"),
      },
      child,
    ).identity;
    const verbs = ["get", "list", "watch", "create", "update", "patch", "delete"];
    const role = new k8s.rbac.v1.Role(
      name,
      {
        metadata: { name: NAME, namespace: ns, labels },
        rules: [
          { apiGroups: ["apps"], resources: ["deployments"], verbs },
          { apiGroups: [""], resources: ["services"], verbs },
        ],
      },
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

    const { opsPort, indexImage, indexGrpcPort, ...rest } = args.settings;
    const environment = pulumi.output(args.assetRepository.name).apply((assetBucket) =>
      environmentFor({
        namespace: ns,
        assetBucket,
        opsPort,
        indexImage,
        indexServiceAccount: INDEX_SERVICE_ACCOUNT,
        indexGrpcPort,
        indexUid: args.uid,
        ...rest,
      }),
    );
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
              // The controller applies Deployments and Services: it needs its token.
              ...workload.pod(args.uid, { automountToken: true }),
              containers: [
                {
                  name: "controller",
                  image: args.image,
                  ports: [{ name: "ops", containerPort: opsPort }],
                  env: containerEnv(args.region, environment),
                  readinessProbe: { httpGet: { path: "/readyz", port: "ops" }, periodSeconds: 10 },
                  livenessProbe: { httpGet: { path: "/healthz", port: "ops" }, periodSeconds: 20, failureThreshold: 3 },
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
    this.registerOutputs({ deployment: NAME, indexServiceAccount: INDEX_SERVICE_ACCOUNT });
  }
}
