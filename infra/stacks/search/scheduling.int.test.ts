/**
 * Where the search stack's pods land, decided by a real kube-scheduler (the embedded Kubernetes):
 * a fake GPU node as the GPU node group registers it (label, `nvidia.com/gpu` taint, GPU
 * capacity, through KWOK) next to the embedded CPU node; the plan's objects applied for real.
 * The graph tests check the spelling of the taint, toleration and selector; this checks that they
 * mean what the design says to the component that enforces them.
 */
import { expect } from "chai";
import { startEmbeddedKubernetes, type EmbeddedKubernetes, type KubeObject } from "../../../scripts/embedded-k8s";
import { K8S, NVIDIA } from "../../../workloads/shared/conventions";
import { waitFor } from "../../../workloads/shared/poll";
import type * as k8s from "@kubernetes/client-node";
import { buildJob as operatorJob } from "../../../workloads/search/operator/build-job";
import { buildPodFrom, parseBuildJobs, type BuildJobs } from "../../../workloads/search/operator/job-template";
import { kubernetesManifests } from "../../plan/kubernetes-manifests";
import { establishCrds, planSearch } from "./search.testing";

const GPU_NODE = "kwok-gpu-0";
const CPU_NODE = "kwok-node-0";

interface Pod {
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  spec: { nodeName?: string };
  status: { phase: string; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

/** A node as nodeadm registers the GPU group's (user data: labels and taint), faked by KWOK. */
const gpuNode: KubeObject = {
  apiVersion: "v1",
  kind: "Node",
  metadata: {
    name: GPU_NODE,
    annotations: { "kwok.x-k8s.io/node": "fake" },
    labels: {
      [K8S.gpuNode]: "true",
      "kubernetes.io/hostname": GPU_NODE,
      "kubernetes.io/os": "linux",
      "kubernetes.io/arch": "amd64",
    },
  },
  spec: { taints: [{ key: NVIDIA.taintKey, value: "true", effect: "NoSchedule" }] },
};

describe("search stack's pods on a real scheduler (GPU and CPU nodes)", function () {
  this.timeout(300_000);
  let cluster: EmbeddedKubernetes;
  let objects: KubeObject[];

  /** The builds' Job settings, as the operator reads them from its environment. */
  const buildJobs = (): BuildJobs => {
    const operator = objects.find(
      (o) => o.kind === "Deployment" && o.metadata.name === "segment-operator",
    ) as KubeObject & {
      spec: { template: { spec: { containers: Array<{ env: Array<{ name: string; value: string }> }> } } };
    };
    const env = operator.spec.template.spec.containers[0].env;
    return parseBuildJobs(env.find((e) => e.name === "BUILD_JOBS")?.value ?? "");
  };
  /**
   * A Job of `tier`'s build as the operator makes one, from the tier's PodTemplate in the plan
   * (`change` edits that template's pod first), without its owner: the garbage collector would
   * delete a Job whose SegmentBuild does not exist.
   */
  const buildJob = (
    name: string,
    tier: keyof BuildJobs["tiers"],
    change: (pod: Record<string, unknown>) => void = () => undefined,
  ): KubeObject => {
    const t = buildJobs().tiers[tier];
    const found = objects.find((o) => o.kind === "PodTemplate" && o.metadata.name === t.podTemplate);
    if (!found) throw new Error(`no PodTemplate ${t.podTemplate} in the plan`);
    const template = structuredClone(found) as unknown as k8s.V1PodTemplate;
    change(template.template?.spec as unknown as Record<string, unknown>);
    const window = tier === "hourly" ? "2026-11-01T05" : tier === "daily" ? "2026-11-01" : "2026-11";
    const job = operatorJob(
      {
        apiVersion: "search.ml-platform.dev/v1alpha1",
        kind: "SegmentBuild",
        metadata: { name, namespace: "search", uid: "00000000-0000-0000-0000-000000000001" },
        spec: { tier, window },
      },
      t,
      buildPodFrom(template),
    );
    delete job.metadata?.ownerReferences;
    for (const meta of [job.metadata, job.spec?.template.metadata])
      if (meta) meta.labels = { ...meta.labels, "test-job": name };
    return job as unknown as KubeObject;
  };

  const pods = async (namespace: string, selector: string): Promise<Pod[]> => {
    const res = await cluster.kubectl(["get", "pods", "-n", namespace, "-l", selector, "-o", "json"]);
    if (res.code !== 0) throw new Error(res.stderr);
    return (JSON.parse(res.stdout) as { items: Pod[] }).items;
  };
  /** The pods of a selector once the scheduler has decided on each (bound, or refused). */
  const decided = async (namespace: string, selector: string, count: number): Promise<Pod[]> => {
    let last: Pod[] = [];
    await waitFor(
      `${count} scheduling decision(s) for ${selector}`,
      async () => {
        last = await pods(namespace, selector);
        const done = last.filter(
          (p) => p.spec.nodeName || p.status.conditions?.some((c) => c.type === "PodScheduled" && c.status === "False"),
        );
        return done.length >= count;
      },
      60_000,
      200,
    );
    return last;
  };

  before(async () => {
    const plan = await planSearch();
    objects = kubernetesManifests(plan.resources);
    cluster = await startEmbeddedKubernetes();
    await cluster.apply([gpuNode]);
    // Capacity is status: set through the status subresource, as a kubelet (here KWOK's node) reports it.
    const capacity = { cpu: "8", memory: "61Gi", pods: "110", [NVIDIA.gpuResource]: "1" };
    const patched = await cluster.kubectl([
      "patch",
      "node",
      GPU_NODE,
      "--subresource=status",
      "--type=merge",
      "-p",
      JSON.stringify({ status: { capacity, allocatable: capacity } }),
    ]);
    if (patched.code !== 0) throw new Error(patched.stderr);
    await waitFor(
      "the GPU node to be Ready with its GPU",
      async () => {
        const res = await cluster.kubectl(["get", "node", GPU_NODE, "-o", "json"]);
        const node = JSON.parse(res.stdout) as {
          status: { allocatable?: Record<string, string>; conditions?: { type: string; status: string }[] };
        };
        return (
          node.status.allocatable?.[NVIDIA.gpuResource] === "1" &&
          !!node.status.conditions?.some((c) => c.type === "Ready" && c.status === "True")
        );
      },
      60_000,
      200,
    );
    for (const ns of objects.filter((o) => o.kind === "Namespace"))
      await cluster.ensureNamespace(ns.metadata.name, (ns.metadata.labels ?? {}) as Record<string, string>);
    // The image cache's claim waits for its first consumer; with no EBS CSI driver here, a volume
    // of its class stands in for the one the driver would provision.
    const claim = objects.find((o) => o.kind === "PersistentVolumeClaim") as KubeObject & {
      spec: { storageClassName: string; resources: { requests: { storage: string } } };
    };
    await cluster.apply([
      {
        apiVersion: "v1",
        kind: "PersistentVolume",
        metadata: { name: "image-cache-standin" },
        spec: {
          storageClassName: claim.spec.storageClassName,
          capacity: { storage: claim.spec.resources.requests.storage },
          accessModes: ["ReadWriteOnce"],
          csi: { driver: "ebs.csi.aws.com", volumeHandle: "vol-0123456789abcdef0", fsType: "ext4" },
        },
      },
    ]);
    // The CRDs first, as the stack orders them (the IndexServing depends on them).
    const crds = objects.filter((o) => o.kind === "CustomResourceDefinition");
    const established = await establishCrds(cluster, crds);
    expect(established.code, established.stderr).to.equal(0);
    await cluster.apply(objects.filter((o) => o.kind !== "Namespace" && o.kind !== "CustomResourceDefinition"));
  });
  after(async () => {
    await cluster?.stop();
  });

  it("runs the embedding build on the GPU node, with the GPU and the image cache", async () => {
    await cluster.apply([buildJob("hourly-now", "hourly")]);
    const [pod] = await decided("search", "test-job=hourly-now", 1);
    expect(pod.spec.nodeName, JSON.stringify(pod.status.conditions)).to.equal(GPU_NODE);
    const claim = await cluster.kubectl([
      "get",
      "pvc",
      "segment-build-image-cache",
      "-n",
      "search",
      "-o",
      "jsonpath={.status.phase}",
    ]);
    expect(claim.stdout).to.equal("Bound");
  });

  it("keeps the compactions, the create steps, the front, the controller and the operator off the GPU node", async () => {
    await cluster.apply([buildJob("daily-now", "daily")]);
    const [daily] = await decided("search", "test-job=daily-now", 1);
    expect(daily.spec.nodeName).to.equal(CPU_NODE);
    const create = await cluster.kubectl([
      "create",
      "job",
      "create-now",
      "--from=cronjob/segment-build-hourly",
      "-n",
      "search",
    ]);
    expect(create.code, create.stderr).to.equal(0);
    const [step] = await decided("search", "job-name=create-now", 1);
    expect(step.spec.nodeName).to.equal(CPU_NODE);
    for (const name of ["search-front", "segment-controller", "segment-operator"]) {
      const deployment = objects.find((o) => o.kind === "Deployment" && o.metadata.name === name) as KubeObject & {
        spec: { replicas?: number; selector: { matchLabels: Record<string, string> } };
      };
      const selector = Object.entries(deployment.spec.selector.matchLabels)
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
      const placed = await decided("search", selector, deployment.spec.replicas ?? 1);
      expect(
        placed.map((p) => p.spec.nodeName),
        name,
      ).to.satisfy((nodes: string[]) => nodes.every((n) => n === CPU_NODE));
    }
  });

  it("runs the NVIDIA device plugin on the GPU node only", async () => {
    const plugin = objects.find((o) => o.kind === "DaemonSet") as KubeObject & {
      spec: { selector: { matchLabels: Record<string, string> } };
    };
    const selector = Object.entries(plugin.spec.selector.matchLabels)
      .map(([k, v]) => `${k}=${v}`)
      .join(",");
    const placed = await decided(plugin.metadata.namespace ?? "kube-system", selector, 1);
    expect(placed.map((p) => p.spec.nodeName)).to.deep.equal([GPU_NODE]);
  });

  it("would leave the embedding build unscheduled without its toleration", async () => {
    await cluster.apply([
      buildJob("hourly-without-toleration", "hourly", (pod) => {
        delete pod.tolerations;
      }),
    ]);
    const [pod] = await decided("search", "test-job=hourly-without-toleration", 1);
    expect(pod.spec.nodeName).to.equal(undefined);
    const refused = pod.status.conditions?.find((c) => c.type === "PodScheduled");
    expect(refused?.reason).to.equal("Unschedulable");
    // The CPU node fails the GPU node selector; the GPU node, the taint (the only one it has).
    expect(refused?.message).to.match(/0\/2 nodes are available/);
    expect(refused?.message).to.match(/1 node\(s\) had untolerated taint/);
    expect(refused?.message).to.match(/1 node\(s\) didn't match Pod's node affinity\/selector/);
  });
});
