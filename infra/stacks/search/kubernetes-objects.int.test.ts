/**
 * Every Kubernetes object the search stack declares, as the offline plan has it, put to a real
 * API server (the embedded Kubernetes): namespaces and the CRDs created, everything else applied server-side
 * as a dry run with warnings as errors, so PodSecurity `restricted` rejects what it would only
 * warn about for a Deployment or a CronJob.
 */
import { expect } from "chai";
import { startEmbeddedKubernetes, type EmbeddedKubernetes, type KubeObject } from "../../../scripts/embedded-k8s";
import { kubernetesManifests } from "../../plan/kubernetes-manifests";
import type * as k8s from "@kubernetes/client-node";
import { buildJob } from "../../../workloads/search/operator/build-job";
import { buildPodFrom, parseBuildJobs } from "../../../workloads/search/operator/job-template";
import type { SegmentBuild } from "../../../workloads/search/crds/types";
import { establishCrds, planSearch } from "./search.testing";

describe("search stack's Kubernetes objects on a real API server", function () {
  this.timeout(300_000);
  let cluster: EmbeddedKubernetes;
  let objects: KubeObject[];

  before(async () => {
    const plan = await planSearch();
    objects = kubernetesManifests(plan.resources);
    cluster = await startEmbeddedKubernetes();
  });
  after(async () => {
    await cluster?.stop();
  });

  it("declares namespaces that enforce PodSecurity restricted, and the server takes them", async () => {
    const namespaces = objects.filter((o) => o.kind === "Namespace");
    expect(namespaces.map((n) => n.metadata.name)).to.include("search");
    for (const ns of namespaces) {
      const labels = (ns.metadata.labels ?? {}) as Record<string, string>;
      expect(labels["pod-security.kubernetes.io/enforce"], ns.metadata.name).to.equal("restricted");
      await cluster.ensureNamespace(ns.metadata.name, labels);
    }
  });

  it("installs the CRDs it declares, so its IndexServing is checked against their schema", async () => {
    const crds = objects.filter((o) => o.kind === "CustomResourceDefinition");
    expect(crds.map((c) => c.metadata.name).sort()).to.deep.equal([
      "indexservings.search.ml-platform.dev",
      "segmentbuilds.search.ml-platform.dev",
    ]);
    const waited = await establishCrds(cluster, crds);
    expect(waited.code, waited.stderr).to.equal(0);
  });

  it("has every other object accepted by a server-side dry run, warnings counted as errors", async () => {
    const rest = objects.filter((o) => o.kind !== "Namespace");
    expect(rest.length).to.be.greaterThan(20);
    expect(new Set(rest.map((o) => o.kind))).to.include.members([
      "CronJob",
      "Deployment",
      "DaemonSet",
      "NetworkPolicy",
      "PodTemplate",
      "IndexServing",
    ]);
    const verdicts = await cluster.dryRunApply(rest);
    const rejected = verdicts.filter((v) => !v.accepted).map((v) => `${v.object}: ${v.message}`);
    expect(rejected).to.deep.equal([]);
    expect(verdicts).to.have.length(rest.length);
  });

  it("has the build Jobs the operator makes from its PodTemplates accepted too (the Jobs exist only at run time)", async () => {
    const operator = objects.find(
      (o) => o.kind === "Deployment" && o.metadata.name === "segment-operator",
    ) as KubeObject & {
      spec: { template: { spec: { containers: Array<{ env: Array<{ name: string; value: string }> }> } } };
    };
    const env = operator.spec.template.spec.containers[0].env;
    const settings = parseBuildJobs(env.find((e) => e.name === "BUILD_JOBS")?.value ?? "");
    const jobs = Object.entries(settings.tiers).map(([tier, t]) => {
      const template = objects.find((o) => o.kind === "PodTemplate" && o.metadata.name === t.podTemplate);
      expect(template, t.podTemplate).to.not.equal(undefined);
      const sb: SegmentBuild = {
        apiVersion: "search.ml-platform.dev/v1alpha1",
        kind: "SegmentBuild",
        metadata: { name: `build-${tier}`, namespace: "search", uid: "00000000-0000-0000-0000-000000000001" },
        spec: {
          tier: tier as SegmentBuild["spec"]["tier"],
          window: { hourly: "2026-11-01T05", daily: "2026-11-01" }[tier] ?? "2026-11",
        },
      };
      // What the operator creates: its own validation first, then its Job.
      return buildJob(sb, t, buildPodFrom(template as unknown as k8s.V1PodTemplate)) as unknown as KubeObject;
    });
    const verdicts = await cluster.dryRunApply(jobs);
    expect(verdicts.filter((v) => !v.accepted).map((v) => `${v.object}: ${v.message}`)).to.deep.equal([]);
    expect(verdicts).to.have.length(3);
  });

  it("would reject the same objects weakened: a search pod that may escalate privileges", async () => {
    const front = objects.find((o) => o.kind === "Deployment" && o.metadata.namespace === "search");
    expect(front, "a Deployment in the search namespace").to.not.equal(undefined);
    const weakened = JSON.parse(JSON.stringify(front)) as KubeObject & {
      spec: { template: { spec: { containers: { securityContext: Record<string, unknown> }[] } } };
    };
    weakened.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation = true;
    const [verdict] = await cluster.dryRunApply([weakened]);
    expect(verdict.accepted).to.equal(false);
    expect(verdict.message).to.match(/allowPrivilegeEscalation/);
  });
});
