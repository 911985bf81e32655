/**
 * The search front: a Deployment behind a ClusterIP Service, scaled on CPU, never drained below
 * its budget, discovering shard hosts by watching the namespace's Services and EndpointSlices
 * (its RBAC allows exactly that). Its AWS role reads the embedder model object and nothing else:
 * the hosts hold the segments and their tombstones. Its network policies are in `network-policies.ts`.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { environmentFor, type FrontSettingsInput } from "../../../../workloads/search/front/config";
import { containerEnv, podWorkload, type ContainerResources, type WorkloadPlacement } from "../../blocks/pod-workload";
import { K8S, SEARCH_COMPONENT, searchLabels } from "../../../../workloads/shared/conventions";
import { frontNetworkPolicies } from "./network-policies";
import { parseS3Uri, s3ObjectArn } from "../../../../workloads/shared/s3-uri";
import { opsServer } from "../ops-server";

export interface SearchFrontArgs extends ContainerResources {
  placement: WorkloadPlacement;
  region: string;
  image: string;
  uid: number;
  /**
   * The front's own settings (its env contract, `workloads/search/front/config.ts`), but the two the
   * component owns: `namespace` and `hostSelector`. `httpPort` is the container's and the Service's
   * port; `opsPort` serves `/healthz`, `/readyz`, `/metrics`; `embedderModelUri`
   * (`s3://bucket/key?versionId=`, the builds' own) is also what the front's role may read.
   */
  settings: Omit<FrontSettingsInput, "namespace" | "hostSelector"> & { httpPort: number; opsPort: number };
  /** Shard hosts' gRPC port: the only port the front may reach them on. */
  hostGrpcPort: number;
  /** CIDRs allowed to reach the front (the VPC, a load balancer's subnets). */
  clientCidrs: string[];
  minReplicas: number;
  maxReplicas: number;
  /** Average CPU utilisation (% of request) the HPA keeps. */
  targetCpuPercent: number;
  /** Pods that must stay up through voluntary disruptions (node drains, upgrades). */
  minAvailable: number;
}

const NAME = "search-front";

const embedderModelArn = (uri: string): string => s3ObjectArn(parseS3Uri(uri, "SearchFront embedderModelUri"));

export class SearchFront extends pulumi.ComponentResource {
  readonly deployment: k8s.apps.v1.Deployment;
  readonly service: k8s.core.v1.Service;

  constructor(name: string, args: SearchFrontArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:search:SearchFront", name, {}, opts);
    if (args.minReplicas > args.maxReplicas) throw new Error("SearchFront: minReplicas must not exceed maxReplicas");
    if (args.minAvailable >= args.minReplicas)
      throw new Error("SearchFront: minAvailable must be below minReplicas, or no node can ever be drained");
    const child = { parent: this };
    const ns = args.placement.namespace;
    const labels = searchLabels(SEARCH_COMPONENT.front, NAME);
    const hostLabels = { [K8S.component]: SEARCH_COMPONENT.shardHost };
    const environment = environmentFor({
      namespace: ns,
      hostSelector: `${K8S.component}=${SEARCH_COMPONENT.shardHost}`,
      ...args.settings,
    });

    const workload = podWorkload(
      name,
      {
        placement: args.placement,
        serviceAccount: NAME,
        labels,
        egressPolicy: "front-https",
        description: "Search front: read the embedder model it loads at start",
        statements: [
          {
            Sid: "ReadEmbedderModel",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:GetObjectVersion"],
            Resource: [embedderModelArn(args.settings.embedderModelUri)],
          },
        ],
      },
      child,
    );
    const role = new k8s.rbac.v1.Role(
      name,
      {
        metadata: { name: `${NAME}-discovery`, namespace: ns, labels },
        rules: [
          { apiGroups: [""], resources: ["services"], verbs: ["get", "list", "watch"] },
          { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["get", "list", "watch"] },
        ],
      },
      child,
    );
    new k8s.rbac.v1.RoleBinding(
      name,
      {
        metadata: { name: `${NAME}-discovery`, namespace: ns, labels },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: `${NAME}-discovery` },
        subjects: [{ kind: "ServiceAccount", name: NAME, namespace: ns }],
      },
      { ...child, dependsOn: [role] },
    );

    const ops = opsServer(args.settings.opsPort, { readinessSeconds: 5, livenessSeconds: 10 });
    this.deployment = new k8s.apps.v1.Deployment(
      name,
      {
        metadata: { name: NAME, namespace: ns, labels },
        spec: {
          // The HPA owns the count from here on; this is the count before it acts.
          replicas: args.minReplicas,
          selector: { matchLabels: labels },
          strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
          template: {
            metadata: { labels },
            spec: {
              // The front watches EndpointSlices, so it needs its token.
              ...workload.pod(args.uid, { automountToken: true }),
              topologySpreadConstraints: [
                {
                  maxSkew: 1,
                  topologyKey: "topology.kubernetes.io/zone",
                  whenUnsatisfiable: "ScheduleAnyway",
                  labelSelector: { matchLabels: labels },
                },
              ],
              containers: [
                {
                  name: "front",
                  image: args.image,
                  ports: [{ name: "http", containerPort: args.settings.httpPort }, ops.port],
                  env: containerEnv(args.region, environment),
                  ...ops.probes,
                  securityContext: workload.containerSecurityContext,
                  resources: { requests: args.requests, limits: args.limits },
                  volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                },
              ],
              volumes: [{ name: "tmp", emptyDir: { sizeLimit: "256Mi" } }],
            },
          },
        },
      },
      { ...child, dependsOn: [workload.identity] },
    );
    this.service = new k8s.core.v1.Service(
      name,
      {
        metadata: { name: NAME, namespace: ns, labels },
        spec: { type: "ClusterIP", selector: labels, ports: [{ name: "http", port: 80, targetPort: "http" }] },
      },
      child,
    );
    new k8s.autoscaling.v2.HorizontalPodAutoscaler(
      name,
      {
        metadata: { name: NAME, namespace: ns, labels },
        spec: {
          scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: NAME },
          minReplicas: args.minReplicas,
          maxReplicas: args.maxReplicas,
          metrics: [
            {
              type: "Resource",
              resource: { name: "cpu", target: { type: "Utilization", averageUtilization: args.targetCpuPercent } },
            },
          ],
        },
      },
      { ...child, dependsOn: [this.deployment] },
    );
    new k8s.policy.v1.PodDisruptionBudget(
      name,
      {
        metadata: { name: NAME, namespace: ns, labels },
        spec: { minAvailable: args.minAvailable, selector: { matchLabels: labels } },
      },
      child,
    );

    frontNetworkPolicies(
      name,
      {
        namespace: ns,
        frontLabels: labels,
        hostLabels,
        hostGrpcPort: args.hostGrpcPort,
        httpPort: args.settings.httpPort,
        clientCidrs: args.clientCidrs,
      },
      child,
    );
    this.registerOutputs({ service: NAME });
  }
}
