/**
 * The custom resources and the segment operator on a real API server (the embedded Kubernetes,
 * KWOK standing in for kubelets; see testing.ts for what it does and does not run):
 * - the CRDs install and the API server refuses invalid specs (schema and CEL validation);
 * - a SegmentBuild becomes a Job it owns; the Job's success or failure, and the build's
 *   termination message, end in its status with a reason;
 * - deleting a SegmentBuild mid-run deletes its Job and pods before it goes;
 * - a build's pod is its tier's PodTemplate, read when the Job is made: a missing one, or one
 *   PodSecurity `restricted` would not admit, fails the SegmentBuild with a reason naming it;
 * - a second operator replica stays passive until the Lease is free.
 * The operator runs as its ServiceAccount bound to exactly operatorRules(): a verb it lacks fails the test.
 */
import { expect } from "chai";
import * as k8s from "@kubernetes/client-node";
import pino from "pino";
import { startEmbeddedKubernetes, type EmbeddedKubernetes } from "../../../scripts/embedded-k8s";
import { waitFor } from "../../shared/poll";
import type { BuildSummary } from "../builder/termination";
import { parseWindow } from "../segments/windows";
import { GROUP, SEGMENT_BUILD, SEGMENT_BUILD_FINALIZER, VERSION, type SegmentBuild } from "../crds/types";
import { createBuildEnvironmentFor, environmentFor, loadOperatorSettings } from "./config";
import { createSegmentBuild } from "./create-build";
import { startOperator, type RunningOperator } from "./main";
import {
  finishPod,
  setUpOperator,
  testBuildJobs,
  testPodTemplates,
  TEST_SOURCE,
  type OperatorSetup,
} from "../local/operator-harness";

const NS = "search";
const LEASE = "segment-operator";
const silent = pino({ level: "silent" });

const operatorSettings = (identity: string) =>
  loadOperatorSettings(
    environmentFor({
      namespace: NS,
      podName: identity,
      opsPort: 0,
      leaseName: LEASE,
      leaseDurationSeconds: 4,
      renewDeadlineSeconds: 3,
      retryPeriodSeconds: 1,
      resyncSeconds: 10,
      buildJobs: JSON.stringify(testBuildJobs()),
    }),
  );

describe("SegmentBuild and IndexServing resources, and the segment operator, on a real Kubernetes API server", function () {
  this.timeout(300_000);
  let cluster: EmbeddedKubernetes;
  let accounts: OperatorSetup;
  const running: RunningOperator[] = [];

  const kubectl = async (args: string[], input?: string) => cluster.kubectl(["-n", NS, ...args], input);
  const get = async (name: string): Promise<SegmentBuild | undefined> => {
    const got = await kubectl(["get", "sb", name, "-o", "json"]);
    return got.code === 0 ? (JSON.parse(got.stdout) as SegmentBuild) : undefined;
  };
  const phase = (name: string, wanted: string) =>
    waitFor(`SegmentBuild ${name} ${wanted}`, async () => {
      const sb = await get(name);
      return sb?.status?.phase === wanted ? sb : undefined;
    });
  const request = (tier: "hourly" | "daily" | "monthly", window: string) =>
    createSegmentBuild(accounts.creator, NS, { window: parseWindow(tier, window), force: false, source: TEST_SOURCE });

  before(async () => {
    cluster = await startEmbeddedKubernetes();
    accounts = await setUpOperator(cluster, NS, LEASE);
  });
  after(async () => {
    for (const op of running) await op.stop();
    await cluster?.stop();
  });

  describe("the definitions", () => {
    const create = (object: unknown) => kubectl(["create", "-f", "-"], JSON.stringify(object));
    const sb = (spec: Record<string, unknown>, name = "sb-schema") => ({
      apiVersion: `${GROUP}/${VERSION}`,
      kind: "SegmentBuild",
      metadata: { name },
      spec,
    });
    const isv = (spec: Record<string, unknown>) => ({
      apiVersion: `${GROUP}/${VERSION}`,
      kind: "IndexServing",
      metadata: { name: "isv-schema" },
      spec: {
        image: "registry.example.com/shard-host:1.0.0",
        replicas: 2,
        retentionDays: 366,
        hostMemory: "8Gi",
        flatMaxItems: 5000,
        resources: { requests: { cpu: "500m", memory: "9Gi" }, limits: { cpu: "2", memory: "9Gi" } },
        ...spec,
      },
    });

    it("refuses a SegmentBuild without a tier, with a window its tier does not name, or with an unknown field", async () => {
      const refusals = {
        noTier: await create(sb({ window: "2026-11-01" })),
        badTier: await create(sb({ tier: "weekly", window: "2026-11-01" })),
        hourlyNamedLikeADay: await create(sb({ tier: "hourly", window: "2026-11-01" })),
        dailyNamedLikeAMonth: await create(sb({ tier: "daily", window: "2026-11" })),
        noSuchMonth: await create(sb({ tier: "monthly", window: "2026-13" })),
        unknownField: await create(sb({ tier: "daily", window: "2026-11-01", colour: "blue" })),
        badReplaces: await create(
          sb({ tier: "daily", window: "2026-11-01", replaces: [{ tier: "hourly", window: "x" }] }),
        ),
      };
      for (const [what, r] of Object.entries(refusals)) expect(r.code, `${what}: ${r.stdout}`).to.not.equal(0);
      expect(refusals.noTier.stderr).to.match(/spec\.tier: Required value/);
      expect(refusals.badTier.stderr).to.match(/spec\.tier: Unsupported value: "weekly"/);
      expect(refusals.hourlyNamedLikeADay.stderr).to.contain("window must be named as its tier names windows");
      expect(refusals.dailyNamedLikeAMonth.stderr).to.contain("window must be named as its tier names windows");
      expect(refusals.noSuchMonth.stderr).to.contain("window must be named as its tier names windows");
      expect(refusals.unknownField.stderr).to.match(/unknown field "spec\.colour"/);
      expect(refusals.badReplaces.stderr).to.match(/spec\.replaces\[0\]/);
      // Nothing was stored; a valid one is, and its spec may not change afterwards.
      expect((await kubectl(["get", "sb", "-o", "name"])).stdout.trim()).to.equal("");
      const ok = await create(sb({ tier: "hourly", window: "2026-11-01T05" }, "sb-immutable"));
      expect(ok.code, ok.stderr).to.equal(0);
      const changed = await kubectl(["patch", "sb", "sb-immutable", "--type=merge", "-p", '{"spec":{"force":true}}']);
      expect(changed.code).to.not.equal(0);
      expect(changed.stderr).to.contain("spec is immutable: create another SegmentBuild to re-run a window");
      expect((await kubectl(["delete", "sb", "sb-immutable", "--wait=false"])).code).to.equal(0);
    });

    it("takes a valid IndexServing and refuses a bad one, printing its columns", async () => {
      const refusals = {
        noReplicas: await create(isv({ replicas: 0 })),
        badMemory: await create(isv({ hostMemory: "lots" })),
        latestImage: await create(isv({ image: "shard-host" })),
        unknownField: await create(isv({ shards: 3 })),
        noResources: await create(isv({ resources: { requests: { cpu: "1", memory: "1Gi" } } })),
      };
      for (const [what, r] of Object.entries(refusals)) expect(r.code, what).to.not.equal(0);
      expect(refusals.noReplicas.stderr).to.match(/spec\.replicas: Invalid value: 0/);
      expect(refusals.unknownField.stderr).to.match(/unknown field "spec\.shards"/);
      expect(refusals.noResources.stderr).to.match(/spec\.resources\.limits: Required value/);
      const ok = await create(isv({ embeddingVersions: ["image-embedder@sha256:53a0e99cda75"] }));
      expect(ok.code, ok.stderr).to.equal(0);
      const table = await kubectl(["get", "isv"]);
      expect(table.stdout.split("\n")[0].trim().split(/\s+/)).to.deep.equal([
        "NAME",
        "REPLICAS",
        "HOST-MEMORY",
        "READY",
        "DEGRADED",
        "AGE",
      ]);
      expect(table.stdout).to.match(/isv-schema\s+2\s+8Gi/);
      expect((await kubectl(["delete", "isv", "isv-schema"])).code).to.equal(0);
    });
  });

  describe("the operator", () => {
    before(async () => {
      running.push(await startOperator(operatorSettings("operator-a"), silent, accounts.operator));
      await waitFor("operator-a leading", async () => running[0].reconciler() !== undefined);
    });

    it("turns a SegmentBuild into a Job it owns, and KWOK's completed pod into Succeeded", async () => {
      const name = await request("daily", "2026-11-01");
      const job = await waitFor(`the Job of ${name}`, async () => {
        const got = await kubectl(["get", "job", name, "-o", "json"]);
        return got.code === 0 ? (JSON.parse(got.stdout) as k8s.V1Job) : undefined;
      });
      const sb = (await get(name)) as SegmentBuild;
      expect(sb.metadata.finalizers).to.deep.equal([SEGMENT_BUILD_FINALIZER]);
      expect(job.metadata?.ownerReferences).to.deep.equal([
        {
          apiVersion: `${GROUP}/${VERSION}`,
          kind: "SegmentBuild",
          name,
          uid: sb.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
      const [build] = job.spec?.template.spec?.containers ?? [];
      expect(build.args).to.deep.equal(["--tier", "daily", "--window", "2026-11-01"]);
      expect(sb.spec.replaces).to.have.length(24);
      const done = await phase(name, "Succeeded");
      expect(done.status?.jobName).to.equal(name);
      const complete = done.status?.conditions?.find((c) => c.type === "Complete");
      expect(complete).to.deep.include({ status: "True", reason: "Published", observedGeneration: 1 });
      expect(done.status?.message).to.equal("the build left no summary in its termination message");
      expect(+new Date(done.status?.completedAt as string)).to.be.at.least(
        +new Date(done.status?.jobCreatedAt as string),
      );
      const table = await kubectl(["get", "sb", name]);
      expect(table.stdout).to.match(new RegExp(`${name}\\s+daily\\s+2026-11-01\\s+Succeeded`));
    });

    it("records the build's counts and manifest key from its termination message when the Job succeeds", async () => {
      const name = await request("hourly", "2026-11-02T03");
      await phase(name, "Pending");
      const summary: BuildSummary = {
        buildId: "b-2026-11-02T03-1a2b",
        status: "published",
        embeddingVersion: "image-embedder@sha256:53a0e99cda75",
        manifestKey: "segments/hourly/2026-11-02T03/b-2026-11-02T03-1a2b/manifest.json",
        counts: { photos: 120, items: 118, cacheHits: 40 },
        timingsMs: { embed: 5000, upload: 300, total: 6100 },
        detail: "",
      };
      await finishPod(cluster, NS, name, 0, summary);
      const done = await phase(name, "Succeeded");
      expect(done.status).to.deep.include({
        buildId: summary.buildId,
        runRecordKey: `runs/${summary.buildId}.json`,
        manifestKey: summary.manifestKey,
        counts: summary.counts,
        timingsMs: summary.timingsMs,
      });
      expect((await kubectl(["get", "sb", name])).stdout).to.match(/Succeeded\s+118/);
    });

    it("fails a build whose Job fails, with the reason: incomplete inputs (exit 3) or the Job's own", async () => {
      const incomplete = await request("hourly", "2026-11-02T04");
      await phase(incomplete, "Pending");
      await finishPod(cluster, NS, incomplete, 3, {
        buildId: "b-2026-11-02T04-9f",
        status: "incomplete",
        embeddingVersion: null,
        manifestKey: null,
        counts: {},
        timingsMs: {},
        detail: "feed partition 2026/11/02/04 has no close marker",
      });
      const failed = await phase(incomplete, "Failed");
      expect(failed.status).to.deep.include({
        reason: "InputsIncomplete",
        message: "feed partition 2026/11/02/04 has no close marker",
      });
      expect(failed.status?.conditions?.find((c) => c.type === "Failed")).to.deep.include({
        status: "True",
        reason: "InputsIncomplete",
      });

      const crashed = await request("hourly", "2026-11-02T05");
      await phase(crashed, "Pending");
      await finishPod(cluster, NS, crashed, 1);
      const byJob = await phase(crashed, "Failed");
      expect(byJob.status?.reason).to.equal("BackoffLimitExceeded");
      expect(byJob.status?.message).to.contain("build exited 1, Error");
      expect((await kubectl(["get", "sb", crashed])).stdout).to.match(/Failed\s+BackoffLimitExceeded/);
    });

    it("refuses a SegmentBuild naming another asset repository, without a Job", async () => {
      const name = await createSegmentBuild(accounts.creator, NS, {
        window: parseWindow("daily", "2026-11-03"),
        force: false,
        source: "s3://someone-elses-bucket/",
      });
      const failed = await phase(name, "Failed");
      expect(failed.status?.reason).to.equal("SourceMismatch");
      expect((await kubectl(["get", "job", name])).code).to.not.equal(0);
    });

    it("fails a build whose PodTemplate is missing or not restricted-compatible, naming it, without a Job", async () => {
      const monthly = testPodTemplates(NS)[2];
      expect(monthly.metadata.name).to.equal("segment-build-monthly");
      try {
        expect((await kubectl(["delete", "podtemplate", "segment-build-monthly"])).code).to.equal(0);
        const missing = await request("monthly", "2026-07");
        const gone = await phase(missing, "Failed");
        expect(gone.status).to.deep.include({
          reason: "PodTemplateMissing",
          message: `PodTemplate segment-build-monthly not found in namespace ${NS}`,
        });
        expect((await kubectl(["get", "job", missing])).code).to.not.equal(0);

        const privileged = structuredClone(monthly) as typeof monthly & {
          template: { spec: { containers: { securityContext: Record<string, unknown> }[] } };
        };
        // The API server itself refuses privileged without escalation; both is what a careless edit would set.
        Object.assign(privileged.template.spec.containers[0].securityContext, {
          privileged: true,
          allowPrivilegeEscalation: true,
        });
        await cluster.apply([privileged]);
        const refused = await request("monthly", "2026-08");
        const failed = await phase(refused, "Failed");
        expect(failed.status?.reason).to.equal("PodTemplateRefused");
        expect(failed.status?.message).to.match(
          /^PodTemplate segment-build-monthly is not PodSecurity restricted-compatible: template\.spec\.containers\.0\.securityContext\.privileged/,
        );
        expect((await kubectl(["get", "job", refused])).code).to.not.equal(0);
      } finally {
        await cluster.apply([monthly]);
      }
      // Read per build: the restored template serves the next one.
      await phase(await request("monthly", "2026-09"), "Succeeded");
    });

    it("deletes a running build's Job and pods before the SegmentBuild goes", async () => {
      const name = await request("hourly", "2026-11-02T06");
      await waitFor(`a pod for ${name}`, async () => {
        const pods = await kubectl(["get", "pods", "-l", `search.ml-platform.dev/segment-build=${name}`, "-o", "name"]);
        return pods.stdout.trim() || undefined;
      });
      // kubectl waits for the object to be gone, i.e. for the operator to drop its finalizer.
      const deleted = await kubectl(["delete", "sb", name, "--timeout=60s"]);
      expect(deleted.code, deleted.stderr).to.equal(0);
      expect((await kubectl(["get", "job", name])).stderr).to.match(/NotFound/);
      const pods = await kubectl(["get", "pods", "-l", `search.ml-platform.dev/segment-build=${name}`, "-o", "name"]);
      expect(pods.stdout.trim()).to.equal("");
    });

    it("keeps a second replica passive until the Lease is free, then it takes over", async () => {
      const b = await startOperator(operatorSettings("operator-b"), silent, accounts.operator);
      running.push(b);
      // Twice the lease duration: a's renewals keep b out all along.
      await new Promise((r) => setTimeout(r, 8000));
      expect(b.elector.isLeader).to.equal(false);
      expect(b.reconciler()).to.equal(undefined);
      const lease = async () =>
        JSON.parse((await kubectl(["get", "lease", LEASE, "-o", "json"])).stdout) as k8s.V1Lease;
      expect((await lease()).spec?.holderIdentity).to.equal("operator-a");
      const a = running.shift() as RunningOperator;
      const released = Date.now();
      await a.stop();
      await waitFor("operator-b leading", async () => b.reconciler() !== undefined, 10_000);
      const tookOverMs = Date.now() - released;
      expect(tookOverMs, "released, not expired: within a retry period or two").to.be.below(3000);
      expect((await lease()).spec).to.deep.include({ holderIdentity: "operator-b", leaseTransitions: 1 });
      // The new leader acts on new builds.
      const name = await request("monthly", "2026-10");
      await phase(name, "Succeeded");
    });

    it("lets the CronJobs' account create SegmentBuilds and nothing else", async () => {
      const custom = accounts.creator.makeApiClient(k8s.CustomObjectsApi);
      const codes = await Promise.all([
        custom
          .listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: SEGMENT_BUILD.plural })
          .then(
            () => "listed",
            (e: { code?: number }) => e.code,
          ),
        accounts.creator
          .makeApiClient(k8s.BatchV1Api)
          .listNamespacedJob({ namespace: NS })
          .then(
            () => "listed",
            (e: { code?: number }) => e.code,
          ),
      ]);
      expect(codes).to.deep.equal([403, 403]);
      expect(createBuildEnvironmentFor({ namespace: NS, source: TEST_SOURCE })).to.deep.equal({
        NAMESPACE: NS,
        SOURCE: TEST_SOURCE,
      });
    });
  });
});
