/**
 * Search layer, in the production account after classification: the EKS cluster with a system
 * and a GPU node group on the platform's AMI, the NVIDIA device plugin, the asset repository, and
 * in the `search` namespace the segment builds (SegmentBuild resources and their operator), the
 * segment controller, the front and the repository sweep; the search layer's CustomResourceDefinitions.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { bucketNamed } from "../../components/blocks/handles";
import { PrivateBucket } from "../../components/blocks/private-bucket";
import { resolveGpuAmi } from "../../components/shared/gpu-ami";
import { SearchCluster } from "../../components/search/cluster";
import { SearchCrds } from "../../components/search/crds";
import { NvidiaDevicePlugin } from "../../components/search/device-plugin";
import { EbsCsiDriver } from "../../components/search/ebs-csi-driver";
import { SearchFront } from "../../components/search/front";
import { SearchNamespace } from "../../components/search/namespace";
import { EksNodeGroup } from "../../components/search/node-group";
import { RepositorySweep } from "../../components/search/repository-sweep";
import { SegmentBuilds } from "../../components/search/segment-builds";
import { SegmentController } from "../../components/search/segment-controller";
import { loadConfig } from "../../config/load";
import { accountProvider } from "../../shared/aws-provider";
import { K8S, NVIDIA } from "../../../workloads/shared/conventions";
import { searchConfig } from "./config";
import { readClassificationOutputs, type SearchOutputs } from "../outputs";

export { searchConfig } from "./config";

export async function search(): Promise<SearchOutputs> {
  const cfg = loadConfig(searchConfig);
  const uploadBucket = readClassificationOutputs(cfg.classificationStack).output("uploadBucket");
  const aws = accountProvider("search", { region: cfg.region, accountId: cfg.accountId, tags: cfg.tags });
  const opts = { provider: aws };

  const cluster = new SearchCluster(
    "search",
    {
      clusterName: cfg.cluster.name,
      kubernetesVersion: cfg.cluster.kubernetesVersion,
      vpcId: cfg.network.vpcId,
      subnetIds: cfg.network.privateSubnetIds,
      publicAccessCidrs: cfg.cluster.publicAccessCidrs,
      adminRoleArns: cfg.cluster.adminRoleArns,
      logRetentionDays: cfg.cluster.logRetentionDays,
    },
    opts,
  );
  const nodeGroupBase = {
    cluster: cluster.handle,
    nodeRoleArn: cluster.nodeRole.arn,
    securityGroupIds: [cluster.handle.eksSecurityGroupId, cluster.nodeSecurityGroup.id],
    subnetIds: cfg.network.privateSubnetIds,
    imdsHopLimit: cfg.nodes.imdsHopLimit,
  };
  const system = new EksNodeGroup(
    "system",
    {
      ...nodeGroupBase,
      image: { amiType: "AL2023_x86_64_STANDARD" },
      instanceTypes: cfg.nodes.system.instanceTypes,
      minSize: cfg.nodes.system.minSize,
      maxSize: cfg.nodes.system.maxSize,
      desiredSize: cfg.nodes.system.desiredSize,
      rootVolumeGb: cfg.nodes.system.rootVolumeGb,
      labels: { [K8S.nodeGroup]: "system" },
    },
    opts,
  );
  const gpu = new EksNodeGroup(
    "gpu",
    {
      ...nodeGroupBase,
      image: { amiId: resolveGpuAmi(cfg.nodes.gpu.gpuAmi, { provider: aws }) },
      instanceTypes: cfg.nodes.gpu.instanceTypes,
      minSize: cfg.nodes.gpu.minSize,
      maxSize: cfg.nodes.gpu.maxSize,
      desiredSize: cfg.nodes.gpu.desiredSize,
      rootVolumeGb: cfg.nodes.gpu.rootVolumeGb,
      labels: { [K8S.nodeGroup]: "gpu", [K8S.gpuNode]: "true" },
      taints: [{ key: NVIDIA.taintKey, value: "true", effect: "NO_SCHEDULE" }],
    },
    opts,
  );
  new EbsCsiDriver(
    "ebs-csi",
    { clusterName: cfg.cluster.name, accountId: cfg.accountId },
    { ...opts, dependsOn: [system.nodeGroup] },
  );
  const assets = new PrivateBucket(
    "search-assets",
    { versioned: true, noncurrentVersionDays: cfg.assetRepository.noncurrentVersionDays },
    opts,
  );
  const assetRepository = assets.bucket;

  // Every Kubernetes object goes through this provider: never the ambient kubeconfig.
  const kube = new k8s.Provider(
    "search",
    { kubeconfig: cluster.kubeconfig, enableServerSideApply: true },
    { dependsOn: [cluster] },
  );
  const k8sOpts = { providers: [aws, kube], dependsOn: [system.nodeGroup] };
  new NvidiaDevicePlugin("nvidia-device-plugin", { image: cfg.devicePluginImage, gpuNodeLabel: K8S.gpuNode }, k8sOpts);
  const ns = new SearchNamespace(
    "search",
    { name: cfg.namespace, kubernetesVersion: cfg.cluster.kubernetesVersion, metricsScrapers: cfg.metricsScrapers },
    k8sOpts,
  );
  const crds = new SearchCrds("search-crds", {}, k8sOpts);
  const inNamespace = { ...k8sOpts, dependsOn: [ns] };
  const workload = {
    placement: { clusterName: cfg.cluster.name, accountId: cfg.accountId, namespace: ns.name },
    region: cfg.region,
  };
  new SegmentBuilds(
    "segment-builds",
    {
      ...workload,
      image: cfg.builds.image,
      uid: cfg.uid,
      assetRepository,
      feed: { bucket: bucketNamed(cfg.feed.bucket), prefix: cfg.feed.prefix },
      images: bucketNamed(uploadBucket),
      embedderModelUri: cfg.builds.embedderModelUri,
      tiers: cfg.builds.tiers,
      cacheGb: cfg.builds.cacheGb,
      tuning: cfg.builds.settings,
      operator: cfg.operator,
    },
    { ...inNamespace, dependsOn: [ns, crds, gpu.nodeGroup] },
  );
  new SegmentController(
    "segment-controller",
    {
      ...workload,
      image: cfg.controller.image,
      uid: cfg.uid,
      settings: {
        opsPort: cfg.controller.opsPort,
        hostGrpcPort: cfg.hosts.grpcPort,
        hostOpsPort: cfg.hosts.opsPort,
      },
      // ml-platform:hosts is the IndexServing's spec: the controller reads it there, not from its env.
      indexServing: {
        name: cfg.hosts.indexServing,
        spec: {
          image: cfg.hosts.image,
          replicas: cfg.hosts.replicas,
          retentionDays: cfg.hosts.retentionDays,
          hostMemory: cfg.hosts.memory,
          flatMaxItems: cfg.hosts.flatMaxItems,
          ...(cfg.hosts.embeddingVersions ? { embeddingVersions: cfg.hosts.embeddingVersions } : {}),
          resources: cfg.hosts.resources,
        },
      },
      definitions: crds,
      assetRepository,
      requests: cfg.controller.requests,
      limits: cfg.controller.limits,
    },
    inNamespace,
  );
  new SearchFront(
    "search-front",
    {
      ...workload,
      image: cfg.front.image,
      uid: cfg.uid,
      settings: {
        httpPort: cfg.front.httpPort,
        opsPort: cfg.front.opsPort,
        embedderModelUri: cfg.builds.embedderModelUri,
      },
      hostGrpcPort: cfg.hosts.grpcPort,
      clientCidrs: cfg.front.clientCidrs,
      minReplicas: cfg.front.minReplicas,
      maxReplicas: cfg.front.maxReplicas,
      targetCpuPercent: cfg.front.targetCpuPercent,
      minAvailable: cfg.front.minAvailable,
      requests: cfg.front.requests,
      limits: cfg.front.limits,
    },
    inNamespace,
  );

  new RepositorySweep(
    "repository-sweep",
    {
      ...workload,
      image: cfg.repositorySweep.image,
      uid: cfg.uid,
      assetRepository,
      schedule: cfg.repositorySweep.schedule,
      activeDeadlineSeconds: cfg.repositorySweep.activeDeadlineSeconds,
      settings: {
        graceHours: cfg.repositorySweep.graceHours,
        staleRunHours: cfg.repositorySweep.staleRunHours,
        dryRun: cfg.repositorySweep.dryRun,
      },
      requests: cfg.repositorySweep.requests,
      limits: cfg.repositorySweep.limits,
    },
    inNamespace,
  );

  return {
    clusterName: cfg.cluster.name,
    kubeconfig: pulumi.secret(cluster.kubeconfig),
    clusterEndpoint: cluster.handle.endpoint,
    assetRepositoryBucket: assets.bucket.bucket,
    namespace: cfg.namespace,
    frontService: "search-front",
    systemNodeGroup: system.nodeGroup.nodeGroupName,
    gpuNodeGroup: gpu.nodeGroup.nodeGroupName,
  };
}
