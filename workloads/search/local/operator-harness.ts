/**
 * For the tests, the bench and the local cluster view: the operator set up in an embedded
 * Kubernetes as the search stack sets it up (the CRDs from the crds module, its ServiceAccount
 * bound to exactly operatorRules()), a kubeconfig for that account, the build Jobs' settings, and
 * one build PodTemplate per tier whose pods PodSecurity `restricted` admits. The controller's tests
 * set up its account with the same pieces (restrictedNamespace, boundAccount, serviceAccountConfig). KWOK runs no containers: daily and monthly pods
 * land on its node, whose stages mark a Job's pod Succeeded at once (exit 0, no termination
 * message); hourly pods select GPU nodes, which the embedded cluster has none of, so they stay
 * Pending until the caller plays the kubelet (`finishPod`).
 */
import * as k8s from "@kubernetes/client-node";
import type { EmbeddedKubernetes, KubeObject } from "../../../scripts/embedded-k8s";
import { waitFor } from "../../shared/poll";
import { searchDefinitions } from "../crds/definitions";
import type { BuildSummary } from "../builder/termination";
import { BUILD_CONTAINER, type BuildJobs } from "../operator/job-template";
import { creatorRules, operatorRules, type PolicyRule } from "../operator/rbac";

export const TEST_SOURCE = "s3://search-assets-test/";

const securityContext = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

/** The name of a tier's build PodTemplate, as the search stack names it. */
export const testPodTemplateName = (tier: string): string => `segment-build-${tier}`;

/** The build PodTemplates, one per tier: hourly selects GPU nodes; all run as PodSecurity `restricted` asks. */
export function testPodTemplates(namespace: string): KubeObject[] {
  const pod = (gpu: boolean) => ({
    securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } },
    automountServiceAccountToken: false,
    restartPolicy: "Never",
    ...(gpu ? { nodeSelector: { "ml-platform.io/gpu": "true" } } : {}),
    containers: [
      {
        name: BUILD_CONTAINER,
        image: "registry.example.com/search-build:1.0.0",
        securityContext,
        resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "1Gi" } },
      },
    ],
  });
  return (["hourly", "daily", "monthly"] as const).map((tier) => ({
    apiVersion: "v1",
    kind: "PodTemplate",
    metadata: { name: testPodTemplateName(tier), namespace },
    template: {
      metadata: { labels: { "app.kubernetes.io/component": "segment-build" } },
      spec: pod(tier === "hourly"),
    },
  }));
}

/** The build Jobs' settings (BUILD_JOBS), naming the PodTemplates of testPodTemplates. */
export function testBuildJobs(maxConcurrent = 100): BuildJobs {
  const tier = (name: string) => ({
    podTemplate: testPodTemplateName(name),
    activeDeadlineSeconds: 3600,
    backoffLimit: 0,
    ttlSecondsAfterFinished: 3600,
    maxConcurrent,
  });
  return { source: TEST_SOURCE, tiers: { hourly: tier("hourly"), daily: tier("daily"), monthly: tier("monthly") } };
}

/** A namespace PodSecurity holds to `restricted`, as the search stack labels its own; warnings on too. */
export async function restrictedNamespace(cluster: EmbeddedKubernetes, namespace: string): Promise<void> {
  await cluster.ensureNamespace(namespace, {
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/warn": "restricted",
  });
}

/** The cluster admin's kubeconfig: what a test reads back with, beyond what the account under test may see. */
export function adminKubeConfig(cluster: EmbeddedKubernetes): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(cluster.kubeconfig);
  return kc;
}

/** Installs the CRDs and waits until the API server serves them. */
export async function installDefinitions(cluster: EmbeddedKubernetes): Promise<void> {
  await cluster.apply(searchDefinitions as unknown as KubeObject[]);
  const names = searchDefinitions.map((d) => `crd/${d.metadata.name}`);
  const waited = await cluster.kubectl(["wait", "--for=condition=Established", "--timeout=60s", ...names]);
  if (waited.code !== 0) throw new Error(`CRDs not established: ${waited.stderr}`);
}

/** A ServiceAccount bound (Role + RoleBinding of the same name) to `rules` in `namespace`. */
export async function boundAccount(
  cluster: EmbeddedKubernetes,
  namespace: string,
  name: string,
  rules: PolicyRule[],
): Promise<void> {
  await cluster.apply([
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace } },
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name, namespace }, rules },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name, namespace },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
      subjects: [{ kind: "ServiceAccount", name, namespace }],
    },
  ]);
}

/** A kubeconfig for a ServiceAccount, from a token the API server issues for it. */
export async function serviceAccountConfig(
  cluster: EmbeddedKubernetes,
  namespace: string,
  name: string,
): Promise<k8s.KubeConfig> {
  const token = await cluster.kubectl(["-n", namespace, "create", "token", name, "--duration=2h"]);
  if (token.code !== 0) throw new Error(`token for ${name}: ${token.stderr}`);
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "embedded", server: cluster.server, caFile: cluster.caFile, skipTLSVerify: false }],
    users: [{ name, token: token.stdout.trim() }],
    contexts: [{ name, cluster: "embedded", user: name }],
    currentContext: name,
  });
  return kc;
}

export interface OperatorSetup {
  operator: k8s.KubeConfig;
  creator: k8s.KubeConfig;
}

/**
 * The namespace (PodSecurity restricted), the CRDs, the build PodTemplates (testPodTemplates), and
 * the operator's and the creator's accounts with their rules.
 */
export async function setUpOperator(
  cluster: EmbeddedKubernetes,
  namespace: string,
  lease: string,
): Promise<OperatorSetup> {
  await restrictedNamespace(cluster, namespace);
  await installDefinitions(cluster);
  await cluster.apply(testPodTemplates(namespace));
  await boundAccount(cluster, namespace, "segment-operator", operatorRules(lease));
  await boundAccount(cluster, namespace, "segment-build-creator", creatorRules());
  return {
    operator: await serviceAccountConfig(cluster, namespace, "segment-operator"),
    creator: await serviceAccountConfig(cluster, namespace, "segment-build-creator"),
  };
}

/**
 * Plays the kubelet for a build's pod that KWOK will not run: writes the build container's
 * termination (exit code, and the build's summary as its message) and the pod's phase through
 * the pod's status subresource, as the admin.
 */
export async function finishPod(
  cluster: EmbeddedKubernetes,
  namespace: string,
  segmentBuild: string,
  exitCode: number,
  summary?: BuildSummary,
): Promise<void> {
  const pod = await waitFor(`the pod of ${segmentBuild}`, async () => {
    const got = await cluster.kubectl([
      "-n",
      namespace,
      "get",
      "pods",
      "-l",
      `search.ml-platform.dev/segment-build=${segmentBuild}`,
      "-o",
      "jsonpath={.items[0].metadata.name}",
    ]);
    return got.stdout.trim() || undefined;
  });
  const now = new Date().toISOString();
  const status = {
    status: {
      phase: exitCode === 0 ? "Succeeded" : "Failed",
      startTime: now,
      containerStatuses: [
        {
          name: BUILD_CONTAINER,
          image: "registry.example.com/search-build:1.0.0",
          imageID: "",
          ready: false,
          restartCount: 0,
          state: {
            terminated: {
              exitCode,
              reason: exitCode === 0 ? "Completed" : "Error",
              startedAt: now,
              finishedAt: now,
              ...(summary ? { message: JSON.stringify(summary) } : {}),
            },
          },
        },
      ],
    },
  };
  const patched = await cluster.kubectl([
    "-n",
    namespace,
    "patch",
    "pod",
    pod,
    "--subresource=status",
    "--type=merge",
    "-p",
    JSON.stringify(status),
  ]);
  if (patched.code !== 0) throw new Error(`pod ${pod} status: ${patched.stderr}`);
}
