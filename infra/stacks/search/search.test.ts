import { expect } from "chai";
import { allowed } from "../../../policies/rules/ec2";
import { PlanError } from "../../plan";
import { readStackConfig } from "../../plan/stack-files";
import { jsonInput, one, ofType } from "../../plan/query";
import type { PlannedResource, StackPlan } from "../../plan/types";
import { K8S } from "../../../workloads/shared/conventions";
import { parseBuildJobs, type BuildJobs } from "../../../workloads/search/operator/job-template";
import { planSearch, WORKLOADS } from "./search.testing";

type Dict = Record<string, unknown>;
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource?: string | string[];
  Principal?: { Service?: string | string[] };
  Condition?: Record<string, Record<string, unknown>>;
}
interface Container {
  name: string;
  image: string;
  securityContext?: Dict;
  resources?: { requests?: Dict; limits?: Dict };
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: Dict;
  volumes?: Array<{ name: string; hostPath?: { path: string }; persistentVolumeClaim?: { claimName: string } }>;
  tolerations?: Array<{ key: string; operator: string; value?: string; effect: string }>;
  nodeSelector?: Record<string, string>;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  serviceAccountName?: string;
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const glob = (pattern: string, value: string) =>
  new RegExp(
    `^${pattern
      .split("*")
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  ).test(value);
/** Whether Allow statements (no conditions in these roles) grant `action` on `resource`. */
const grants = (statements: Statement[], action: string, resource: string) =>
  statements.some(
    (s) =>
      s.Effect === "Allow" &&
      list(s.Action).some((a) => glob(a, action)) &&
      list(s.Resource).some((r) => glob(r, resource)),
  );

const NAMESPACE = "search";

describe("search stack (offline graph)", () => {
  let plan: StackPlan;
  before(async () => {
    plan = await planSearch();
  });

  const k8s = (kind: string) =>
    plan.resources.filter((r) => r.type.startsWith("kubernetes:") && r.type.endsWith(`:${kind}`));
  const meta = (r: PlannedResource) =>
    r.inputs.metadata as { name: string; namespace?: string; labels?: Dict; annotations?: Dict };
  const podSpecs = (): Array<{ owner: string; spec: PodSpec }> => [
    ...k8s("Deployment").map((d) => ({
      owner: meta(d).name,
      spec: (d.inputs.spec as { template: { spec: PodSpec } }).template.spec,
    })),
    ...k8s("DaemonSet").map((d) => ({
      owner: meta(d).name,
      spec: (d.inputs.spec as { template: { spec: PodSpec } }).template.spec,
    })),
    ...k8s("CronJob").map((c) => ({
      owner: meta(c).name,
      spec: (c.inputs.spec as { jobTemplate: { spec: { template: { spec: PodSpec } } } }).jobTemplate.spec.template
        .spec,
    })),
    // The builds' pods: the PodTemplates the operator reads and makes each build's Job from.
    ...Object.entries(buildJobs().tiers).map(([tier, t]) => ({
      owner: `build:${tier}`,
      spec: podTemplate(t.podTemplate),
    })),
  ];
  /** The pod spec of the PodTemplate `name` in the plan. */
  const podTemplate = (name: string): PodSpec => {
    const found = k8s("PodTemplate").find((p) => meta(p).name === name);
    if (!found) throw new Error(`no PodTemplate ${name} in the plan`);
    return (found.inputs.template as { spec: PodSpec }).spec;
  };
  /** The operator's BUILD_JOBS, as it parses it. */
  const buildJobs = (): BuildJobs => {
    const operator = k8s("Deployment").find((d) => meta(d).name === "segment-operator") as PlannedResource;
    const [container] = (operator.inputs.spec as { template: { spec: PodSpec } }).template.spec.containers as Array<
      Container & { env: Array<{ name: string; value: string }> }
    >;
    return parseBuildJobs(container.env.find((e) => e.name === "BUILD_JOBS")?.value ?? "");
  };
  const nodeGroup = (name: string) => one(plan, "aws:eks/nodeGroup:NodeGroup", name).inputs;
  const launchTemplate = (name: string) => one(plan, "aws:ec2/launchTemplate:LaunchTemplate", name).inputs;
  /** The bucket's name as its companions resolve it (the bucket itself is auto-named). */
  const assetBucket = () => `arn:aws:s3:::${String(one(plan, "aws:s3/bucketPolicy:BucketPolicy").inputs.bucket)}`;

  /** The inline statements of the role a service account gets through its Pod Identity association. */
  const podRoleStatements = (serviceAccount: string): Statement[] => {
    const association = ofType(plan, "aws:eks/podIdentityAssociation:PodIdentityAssociation").find(
      (a) => a.inputs.serviceAccount === serviceAccount,
    );
    expect(association, `a Pod Identity association for ${serviceAccount}`).to.not.equal(undefined);
    expect(association?.inputs.namespace).to.equal(NAMESPACE);
    const roleName = String(association?.inputs.roleArn).split("/").pop();
    const policies = ofType(plan, "aws:iam/rolePolicy:RolePolicy").filter((p) => p.inputs.role === roleName);
    expect(policies, `inline policy of ${roleName}`).to.have.length(1);
    return jsonInput<{ Statement: Statement[] }>(policies[0], "policy").Statement;
  };

  it("runs the GPU group tainted nvidia.com/gpu=true:NoSchedule on the Packer EKS AMI, joined by nodeadm", () => {
    const gpu = nodeGroup("gpu");
    expect(gpu.taints).to.deep.equal([{ key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" }]);
    expect(gpu.labels).to.deep.equal({ [K8S.nodeGroup]: "gpu", [K8S.gpuNode]: "true" });
    expect(gpu.amiType, "our AMI: EKS must not pick one").to.equal(undefined);
    expect(nodeGroup("system").taints ?? []).to.deep.equal([]);

    const lt = launchTemplate("gpu");
    // The AMI id the mock's SSM answer gives for the combination's parameter.
    expect(lt.imageId).to.match(/^ami-[0-9a-f]{17}$/);
    const userData = Buffer.from(String(lt.userData), "base64").toString();
    expect(userData).to.contain("Content-Type: application/node.eks.aws");
    expect(userData).to.contain("kind: NodeConfig");
    expect(userData).to.match(/name: search\n/);
    expect(userData).to.match(/apiServerEndpoint: https:\/\/[0-9A-F]+\.gr7\.us-east-1\.eks\.amazonaws\.com/);
    expect(userData).to.contain("cidr: 172.20.0.0/16");
    expect(userData).to.contain("--register-with-taints=nvidia.com/gpu=true:NoSchedule");
    expect(userData).to.contain(`--node-labels=${K8S.nodeGroup}=gpu,${K8S.gpuNode}=true`);
    expect(launchTemplate("system").userData, "EKS writes the system group's bootstrap").to.equal(undefined);
    expect(nodeGroup("system").amiType).to.equal("AL2023_x86_64_STANDARD");
  });

  it("lets only GPU pods (the hourly build, the device plugin) tolerate the GPU taint, and GPU pods select GPU nodes", () => {
    const tolerates = (s: PodSpec) => (s.tolerations ?? []).some((t) => t.key === "nvidia.com/gpu");
    const byOwner = Object.fromEntries(podSpecs().map((p) => [p.owner, p.spec]));
    expect(
      Object.keys(byOwner)
        .filter((o) => tolerates(byOwner[o]))
        .sort(),
    ).to.deep.equal(["build:hourly", "nvidia-device-plugin"]);
    const hourly = byOwner["build:hourly"];
    expect(hourly.tolerations).to.deep.equal([
      { key: "nvidia.com/gpu", operator: "Equal", value: "true", effect: "NoSchedule" },
    ]);
    expect(hourly.nodeSelector).to.deep.equal({ [K8S.gpuNode]: "true" });
    const [build] = hourly.containers;
    expect(build.resources?.requests?.["nvidia.com/gpu"]).to.equal("1");
    expect(build.resources?.limits?.["nvidia.com/gpu"]).to.equal("1");
    for (const owner of ["build:daily", "build:monthly"])
      expect(byOwner[owner].containers[0].resources?.limits?.["nvidia.com/gpu"]).to.equal(undefined);
  });

  it("declares the NVIDIA device plugin pinned, unprivileged, in kube-system, with the one exempted host path", () => {
    const [ds] = k8s("DaemonSet");
    expect(meta(ds)).to.deep.include({ name: "nvidia-device-plugin", namespace: "kube-system" });
    expect(meta(ds).annotations).to.deep.equal({ [K8S.policyExemption]: "nvidia-device-plugin" });
    const spec = (ds.inputs.spec as { template: { spec: PodSpec & { priorityClassName: string } } }).template.spec;
    expect(spec.priorityClassName).to.equal("system-node-critical");
    expect(spec.tolerations).to.deep.equal([{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
    expect(spec.containers[0].image).to.equal("nvcr.io/nvidia/k8s-device-plugin:v0.20.0");
    expect(spec.containers[0].securityContext).to.deep.include({ allowPrivilegeEscalation: false });
    expect(spec.containers[0].securityContext?.capabilities).to.deep.equal({ drop: ["ALL"] });
    expect((spec.volumes ?? []).map((v) => v.hostPath?.path)).to.deep.equal(["/var/lib/kubelet/device-plugins"]);
  });

  it("requires IMDSv2 with hop limit 1, encrypted gp3 roots and allow-listed GPU types on every node group", () => {
    const templates = ofType(plan, "aws:ec2/launchTemplate:LaunchTemplate");
    expect(templates.map((t) => t.name).sort()).to.deep.equal(["gpu", "system"]);
    for (const t of templates) {
      expect(t.inputs.metadataOptions, t.name).to.deep.include({ httpTokens: "required", httpPutResponseHopLimit: 1 });
      const [root] = t.inputs.blockDeviceMappings as Array<{ deviceName: string; ebs: Dict }>;
      expect(root.ebs, t.name).to.deep.include({ encrypted: "true", volumeType: "gp3" });
    }
    for (const g of ofType(plan, "aws:eks/nodeGroup:NodeGroup")) {
      const ref = g.inputs.launchTemplate as { id: string };
      expect(ref.id, `${g.name} uses its declared template`).to.match(/^lt-/);
    }
    const defaults = ["g4dn.*", "g5.*", "g6.*", "p3.2xlarge"];
    for (const t of nodeGroup("gpu").instanceTypes as string[]) expect(allowed(t, defaults), t).to.equal(true);
  });

  it("enforces, audits and warns PodSecurity restricted on the search namespace, where every search object lives", () => {
    const [ns] = k8s("Namespace");
    expect(meta(ns).name).to.equal(NAMESPACE);
    for (const mode of ["enforce", "audit", "warn"]) {
      expect(meta(ns).labels?.[`pod-security.kubernetes.io/${mode}`]).to.equal("restricted");
      expect(meta(ns).labels?.[`pod-security.kubernetes.io/${mode}-version`]).to.equal("v1.33");
    }
    const clusterScoped = ["Namespace", "StorageClass", "CustomResourceDefinition"];
    for (const r of plan.resources.filter(
      (x) => x.type.startsWith("kubernetes:") && x.type !== "kubernetes:apps/v1:DaemonSet",
    )) {
      if (clusterScoped.some((k) => r.type.endsWith(`:${k}`))) continue;
      expect(meta(r).namespace, `${r.type} ${r.name}`).to.equal(NAMESPACE);
    }
    expect(plan.resources.filter((r) => /ClusterRole/.test(r.type))).to.deep.equal([]);
  });

  it("runs every container non-root, read-only, without privilege or capabilities, with limits and a pinned image", () => {
    const specs = podSpecs();
    expect(specs.map((s) => s.owner).sort()).to.deep.equal(
      ["build:daily", "build:hourly", "build:monthly", "nvidia-device-plugin", ...WORKLOADS].sort(),
    );
    for (const { owner, spec } of specs) {
      expect(spec.hostNetwork ?? false, owner).to.equal(false);
      expect(spec.hostPID ?? false, owner).to.equal(false);
      expect(spec.hostIPC ?? false, owner).to.equal(false);
      for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
        const where = `${owner}/${c.name}`;
        expect(c.securityContext, where).to.deep.include({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
        });
        expect(c.securityContext?.capabilities, where).to.deep.equal({ drop: ["ALL"] });
        expect(c.securityContext?.seccompProfile ?? spec.securityContext?.seccompProfile, where).to.deep.equal({
          type: "RuntimeDefault",
        });
        expect(c.image, where).to.match(/(:[\w.-]+|@sha256:[0-9a-f]{64})$/);
        expect(c.image, where).to.not.match(/:latest$/);
        for (const k of ["cpu", "memory"]) {
          expect(c.resources?.requests?.[k], `${where} requests.${k}`).to.be.a("string");
          expect(c.resources?.limits?.[k], `${where} limits.${k}`).to.be.a("string");
        }
      }
      if (owner === "nvidia-device-plugin") continue; // the exempted one: kube-system, hostPath, root
      expect(spec.securityContext, owner).to.deep.include({ runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001 });
      expect(spec.securityContext?.seccompProfile, owner).to.deep.equal({ type: "RuntimeDefault" });
      for (const c of spec.containers) expect(c.securityContext?.runAsNonRoot, `${owner}/${c.name}`).to.equal(true);
      expect(
        (spec.volumes ?? []).filter((v) => v.hostPath),
        owner,
      ).to.deep.equal([]);
    }
  });

  it("denies all traffic in the namespace by default, allowing DNS, front → shard hosts on gRPC only, and HTTPS out without IMDS", () => {
    const policies = Object.fromEntries(k8s("NetworkPolicy").map((p) => [meta(p).name, p.inputs.spec as Dict]));
    expect(policies["default-deny"]).to.deep.equal({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    expect(policies["allow-dns"].egress).to.deep.equal([
      {
        to: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
            podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
          },
        ],
        ports: [
          { protocol: "UDP", port: 53 },
          { protocol: "TCP", port: 53 },
        ],
      },
    ]);
    const hosts = { matchLabels: { [K8S.component]: "shard-host" } };
    const frontSelector = (policies["front-to-shard-hosts"].podSelector as { matchLabels: Dict }).matchLabels;
    expect(frontSelector[K8S.component]).to.equal("front");
    expect(policies["front-to-shard-hosts"]).to.deep.equal({
      podSelector: { matchLabels: frontSelector },
      policyTypes: ["Egress"],
      egress: [{ to: [{ podSelector: hosts }], ports: [{ protocol: "TCP", port: 50051 }] }],
    });
    expect(policies["shard-hosts-from-front"]).to.deep.equal({
      podSelector: hosts,
      policyTypes: ["Ingress"],
      ingress: [{ from: [{ podSelector: { matchLabels: frontSelector } }], ports: [{ protocol: "TCP", port: 50051 }] }],
    });
    // The hosts go out on HTTPS only (S3), like every workload.
    expect(policies["shard-hosts-https"].podSelector).to.deep.equal(hosts);
    // Nothing else admits traffic to shard hosts (but the scraper, on the ops port only: next test), and no policy
    // admits the whole internet in.
    for (const [name, spec] of Object.entries(policies)) {
      const ingress = (spec.ingress ?? []) as Array<{ from?: Array<{ ipBlock?: { cidr: string } }> }>;
      for (const rule of ingress) {
        expect(rule.from ?? [], `${name} names its sources`).to.have.length.above(0);
        for (const peer of rule.from ?? []) expect(peer.ipBlock?.cidr, name).to.not.equal("0.0.0.0/0");
      }
      if (name !== "shard-hosts-from-front" && (spec.policyTypes as string[]).includes("Ingress"))
        expect(spec.podSelector, name).to.not.deep.equal(hosts);
      for (const rule of (spec.egress ?? []) as Array<{
        to?: Array<{ ipBlock?: { cidr: string; except?: string[] } }>;
      }>)
        for (const peer of rule.to ?? [])
          if (peer.ipBlock) expect(peer.ipBlock.except, `${name} keeps pods off IMDS`).to.include("169.254.169.254/32");
    }
  });

  it("admits the configured metrics scraper to every pod's ops port and nowhere else; nothing when none is named", async () => {
    const scrape = (p: StackPlan) =>
      ofType(p, "kubernetes:networking.k8s.io/v1:NetworkPolicy").filter((r) => meta(r).name === "allow-metrics-scrape");
    expect(scrape(plan).map((r) => r.inputs.spec)).to.deep.equal([
      {
        podSelector: {},
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } },
                podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
              },
            ],
            ports: [{ protocol: "TCP", port: "ops" }],
          },
        ],
      },
    ]);
    // Every long-running search container names its ops port `ops`, so the policy's port reaches it.
    for (const kind of ["Deployment"]) {
      for (const d of k8s(kind)) {
        const containers = ((d.inputs.spec as Dict).template as { spec: PodSpec }).spec.containers as Array<
          Container & { ports?: Array<{ name?: string }> }
        >;
        expect(
          containers.some((c) => (c.ports ?? []).some((p) => p.name === "ops")),
          `${meta(d).name} declares a port named ops`,
        ).to.equal(true);
      }
    }
    expect(scrape(await planSearch({ "ml-platform:metricsScrapers": null }))).to.deep.equal([]);
    const bad = await failure({
      "ml-platform:metricsScrapers": { namespace: "Monitoring", podLabels: { "a/b/": "x", app: "-x" } },
    });
    expect(bad).to.contain("ml-platform:metricsScrapers.namespace: expected a namespace name");
    expect(bad).to.contain("ml-platform:metricsScrapers.podLabels.a/b/: expected a label key");
    expect(bad).to.contain("ml-platform:metricsScrapers.podLabels.app: expected a label value");
  });

  it("gives each service account only its role: builds write the asset repository, hosts read segments, the controller pointers and manifests, the front only its model", () => {
    const bucket = assetBucket();
    expect(bucket).to.match(/^arn:aws:s3:::search-assets-[0-9a-f]{7}$/);
    const builds = podRoleStatements("segment-build");
    expect(grants(builds, "s3:PutObject", `${bucket}/segments/x`)).to.equal(true);
    expect(grants(builds, "s3:GetObject", "arn:aws:s3:::photos-0a1b2c3/p.jpg"), "reads the photos").to.equal(true);
    expect(grants(builds, "s3:PutObject", "arn:aws:s3:::photos-0a1b2c3/p.jpg"), "never writes photos").to.equal(false);
    expect(grants(builds, "s3:GetObject", "arn:aws:s3:::recipes-catalogue-feed/catalogue/2026/x")).to.equal(true);
    expect(grants(builds, "s3:GetObject", "arn:aws:s3:::recipes-catalogue-feed/other/x")).to.equal(false);
    const writes = ["s3:PutObject", "s3:DeleteObject", "s3:PutBucketPolicy", "s3:DeleteObjectVersion"];
    for (const sa of ["shard-host", "search-front", "segment-controller"]) {
      const st = podRoleStatements(sa);
      for (const write of writes)
        expect(grants(st, write, `${bucket}/segments/x`) || grants(st, write, bucket), `${sa} ${write}`).to.equal(
          false,
        );
      expect(grants(st, "s3:GetObject", "arn:aws:s3:::photos-0a1b2c3/p.jpg"), `${sa} reads no photos`).to.equal(false);
      expect(grants(st, "s3:GetObject", `${bucket}/runs/b.json`), `${sa} reads no run records`).to.equal(false);
    }
    // Hosts: a manifest and its files by key and version, under segments/ only; no listing.
    const hosts = podRoleStatements("shard-host");
    expect(hosts.flatMap((s) => list(s.Action)).sort()).to.deep.equal(["s3:GetObject", "s3:GetObjectVersion"]);
    expect(hosts.flatMap((s) => list(s.Resource))).to.deep.equal([`${bucket}/segments/*`]);
    // The controller: pointers (listed under pointers/ only) and manifests.
    const controller = podRoleStatements("segment-controller");
    for (const key of ["pointers/hourly/2026-11-02T03.json", "segments/hourly/2026-11-02T03/b/manifest.json"])
      expect(grants(controller, "s3:GetObjectVersion", `${bucket}/${key}`), key).to.equal(true);
    const listing = controller.filter((s) => list(s.Action).includes("s3:ListBucket"));
    expect(listing).to.have.length(1);
    expect(listing[0].Condition).to.deep.equal({ StringLike: { "s3:prefix": ["pointers/*"] } });
    // The front: the embedder model object it loads, nothing of the asset bucket.
    const front = podRoleStatements("search-front");
    expect(front.flatMap((s) => list(s.Resource))).to.deep.equal([
      "arn:aws:s3:::recipes-ml-models/search/image-embedder.onnx",
    ]);
    for (const key of ["segments/x", "pointers/x", "runs/x", "x"])
      expect(grants(front, "s3:GetObject", `${bucket}/${key}`), `front reads ${key}`).to.equal(false);
    expect(grants(front, "s3:ListBucket", bucket), "front lists nothing").to.equal(false);
    for (const p of ofType(plan, "aws:iam/rolePolicy:RolePolicy")) {
      for (const s of jsonInput<{ Statement: Statement[] }>(p, "policy").Statement) {
        expect(
          list(s.Action).some((a) => a === "*" || a.endsWith(":*")),
          p.name,
        ).to.equal(false);
        expect(list(s.Resource), p.name).to.not.include("*");
      }
    }
    // Pod roles trust EKS Pod Identity for this account only.
    const podRoles = ofType(plan, "aws:iam/role:Role").filter((r) =>
      jsonInput<{ Statement: Statement[] }>(r, "assumeRolePolicy").Statement.some((s) =>
        list(s.Principal?.Service).includes("pods.eks.amazonaws.com"),
      ),
    );
    expect(podRoles).to.have.length(6); // five workloads and the EBS CSI controller
    for (const r of podRoles) {
      const [trust] = jsonInput<{ Statement: Statement[] }>(r, "assumeRolePolicy").Statement;
      expect(list(trust.Action).sort()).to.deep.equal(["sts:AssumeRole", "sts:TagSession"]);
      expect(trust.Condition).to.deep.equal({ StringEquals: { "aws:SourceAccount": "111111111111" } });
    }
  });

  it("lets the repository sweep list, read references and delete under segments/ only, daily, one run at a time", () => {
    const bucket = assetBucket();
    const st = podRoleStatements("repository-sweep");
    for (const key of ["pointers/daily/2026-11-20.json", "runs/b1.json", "segments/daily/2026-11-20/b1/manifest.json"])
      expect(grants(st, "s3:GetObject", `${bucket}/${key}`), key).to.equal(true);
    expect(grants(st, "s3:GetObject", `${bucket}/segments/daily/2026-11-20/b1/index.hnsw`), "no segment data").to.equal(
      false,
    );
    expect(grants(st, "s3:DeleteObject", `${bucket}/segments/daily/2026-11-20/b1/index.hnsw`)).to.equal(true);
    for (const key of ["pointers/daily/2026-11-20.json", "runs/b1.json", "assets/projections/1.json"])
      expect(grants(st, "s3:DeleteObject", `${bucket}/${key}`), key).to.equal(false);
    for (const action of ["s3:PutObject", "s3:DeleteObjectVersion", "s3:PutLifecycleConfiguration"])
      expect(grants(st, action, `${bucket}/segments/x`) || grants(st, action, bucket), action).to.equal(false);
    const listing = st.find((s) => list(s.Action).includes("s3:ListBucket"));
    expect(listing?.Resource).to.deep.equal([bucket]);
    expect(listing?.Condition).to.deep.equal({ StringLike: { "s3:prefix": ["segments/*", "pointers/*", "runs/*"] } });

    const [job] = k8s("CronJob").filter((c) => meta(c).name === "repository-sweep");
    const spec = job.inputs.spec as {
      schedule: string;
      concurrencyPolicy: string;
      jobTemplate: { spec: { activeDeadlineSeconds: number; template: { spec: PodSpec } } };
    };
    expect(meta(job).namespace).to.equal(NAMESPACE);
    expect([spec.schedule, spec.concurrencyPolicy]).to.deep.equal(["40 4 * * *", "Forbid"]);
    expect(spec.jobTemplate.spec.activeDeadlineSeconds).to.equal(3600);
    // Its environment is read back by the sweep's own loader in environments.test.ts.
    expect(spec.jobTemplate.spec.template.spec.serviceAccountName).to.equal("repository-sweep");
  });

  it("limits RBAC: the front watches Services and EndpointSlices, the controller manages the hosts' four kinds, the operator its builds, in search only", () => {
    const roles = Object.fromEntries(k8s("Role").map((r) => [meta(r).name, r.inputs.rules]));
    expect(roles["search-front-discovery"]).to.deep.equal([
      { apiGroups: [""], resources: ["services"], verbs: ["get", "list", "watch"] },
      { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["get", "list", "watch"] },
    ]);
    const verbs = ["get", "list", "watch", "create", "update", "patch", "delete"];
    // Written out, not imported from the controller: widening its rules must fail here.
    expect(roles["segment-controller"]).to.deep.equal([
      { apiGroups: [""], resources: ["configmaps", "services"], verbs },
      { apiGroups: ["apps"], resources: ["deployments"], verbs },
      { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs },
      // Its IndexServing: read and watched, and only its status written (never its spec, never deleted).
      { apiGroups: ["search.ml-platform.dev"], resources: ["indexservings"], verbs: ["get", "list", "watch"] },
      { apiGroups: ["search.ml-platform.dev"], resources: ["indexservings/status"], verbs: ["update", "patch"] },
    ]);
    // The operator: exactly what it calls; the CronJobs' account: create SegmentBuilds, nothing else.
    const group = "search.ml-platform.dev";
    expect(roles["segment-operator"]).to.deep.equal([
      { apiGroups: [group], resources: ["segmentbuilds"], verbs: ["get", "list", "watch", "patch"] },
      { apiGroups: [group], resources: ["segmentbuilds/status"], verbs: ["update"] },
      { apiGroups: [group], resources: ["segmentbuilds/finalizers"], verbs: ["update"] },
      { apiGroups: ["batch"], resources: ["jobs"], verbs: ["get", "list", "watch", "create", "delete"] },
      { apiGroups: [""], resources: ["pods"], verbs: ["list", "watch"] },
      // It reads each build's PodTemplate; it may not write one (that is the stack's, checked by the gate).
      { apiGroups: [""], resources: ["podtemplates"], verbs: ["get"] },
      { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
      {
        apiGroups: ["coordination.k8s.io"],
        resources: ["leases"],
        resourceNames: ["segment-operator"],
        verbs: ["get", "update"],
      },
    ]);
    expect(roles["segment-build-creator"]).to.deep.equal([
      { apiGroups: [group], resources: ["segmentbuilds"], verbs: ["create"] },
    ]);
    for (const b of k8s("RoleBinding")) {
      const subjects = b.inputs.subjects as Array<{ kind: string; name: string; namespace: string }>;
      expect(subjects).to.have.length(1);
      expect(subjects[0]).to.deep.include({ kind: "ServiceAccount", namespace: NAMESPACE });
    }
  });

  it("schedules each tier's create step after its window closes; the tier's PodTemplate runs the build with deadlines and the cache on encrypted gp3", () => {
    const jobs = Object.fromEntries(k8s("CronJob").map((c) => [meta(c).name, c.inputs.spec as Dict]));
    const template = buildJobs();
    expect(
      k8s("PodTemplate")
        .map((p) => meta(p).name)
        .sort(),
      "one PodTemplate per tier, each named",
    ).to.deep.equal(["segment-build-daily", "segment-build-hourly", "segment-build-monthly"]);
    const expected = {
      "segment-build-hourly": ["20 * * * *", 1200, 3000],
      "segment-build-daily": ["30 1 * * *", 7200, 14400],
      "segment-build-monthly": ["0 4 1 * *", 21600, 43200],
    };
    for (const [name, [schedule, starting, active]] of Object.entries(expected)) {
      const tier = name.split("-").pop() as keyof BuildJobs["tiers"];
      const spec = jobs[name] as Dict & { jobTemplate: { spec: Dict & { template: { spec: PodSpec } } } };
      expect(spec, name).to.deep.include({
        schedule,
        timeZone: "Etc/UTC",
        concurrencyPolicy: "Forbid",
        startingDeadlineSeconds: starting,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
      });
      // The CronJob only asks: no shell, the operator image's create step, as the account that may only create.
      const pod = spec.jobTemplate.spec.template.spec;
      expect(pod.serviceAccountName, name).to.equal("segment-build-creator");
      const [create] = pod.containers as Array<Container & Dict>;
      expect(create.command, name).to.equal(undefined);
      expect(create.image, name).to.match(/search-operator:/);
      expect(create.args, name).to.deep.equal(["create-build", "--tier", tier, "--window", "last-closed"]);
      expect(spec.jobTemplate.spec.backoffLimit, `${name} never asks twice`).to.equal(0);
      // The build itself: the operator's Job, the tier's deadline, one build of a tier at a time.
      expect(template.tiers[tier], tier).to.deep.include({ activeDeadlineSeconds: active, maxConcurrent: 1 });
      expect(template.tiers[tier].podTemplate, tier).to.equal(`segment-build-${tier}`);
      const pt = k8s("PodTemplate").find((p) => meta(p).name === `segment-build-${tier}`) as PlannedResource;
      expect(meta(pt), tier).to.deep.include({ namespace: NAMESPACE });
      expect(meta(pt).labels, tier).to.deep.include({ "app.kubernetes.io/component": "segment-build" });
      expect((pt.inputs.template as { metadata: { labels: Dict } }).metadata.labels, tier).to.deep.equal(
        meta(pt).labels,
      );
      expect(podTemplate(`segment-build-${tier}`).containers.map((c) => c.name)).to.deep.equal(["build"]);
    }
    expect(template.source).to.equal(`s3://${String(one(plan, "aws:s3/bucketPolicy:BucketPolicy").inputs.bucket)}/`);
    const hourly = podTemplate(template.tiers.hourly.podTemplate);
    const claim = hourly.volumes?.find((v) => v.persistentVolumeClaim)?.persistentVolumeClaim?.claimName;
    const pvc = k8s("PersistentVolumeClaim").find((p) => meta(p).name === claim) as PlannedResource;
    const storageClassName = (pvc.inputs.spec as { storageClassName: string }).storageClassName;
    const [sc] = k8s("StorageClass");
    expect(meta(sc).name).to.equal(storageClassName);
    expect(sc.inputs).to.deep.include({ provisioner: "ebs.csi.aws.com", volumeBindingMode: "WaitForFirstConsumer" });
    expect(sc.inputs.parameters).to.deep.include({ type: "gp3", encrypted: "true" });
  });

  it("deploys the SegmentBuild and IndexServing definitions from the crds module, with status subresource and short names", () => {
    const crds = k8s("CustomResourceDefinition");
    expect(crds.map((c) => meta(c).name).sort()).to.deep.equal([
      "indexservings.search.ml-platform.dev",
      "segmentbuilds.search.ml-platform.dev",
    ]);
    for (const c of crds) {
      const spec = c.inputs.spec as { names: { shortNames: string[] }; versions: Array<{ subresources: Dict }> };
      expect(spec.versions[0].subresources).to.deep.equal({ status: {} });
      expect(spec.names.shortNames).to.have.length(1);
    }
  });

  it("creates the IndexServing from ml-platform:hosts, in the search namespace, after the CRDs", () => {
    const [isv, ...others] = ofType(plan, "kubernetes:search.ml-platform.dev/v1alpha1:IndexServing");
    expect(others).to.deep.equal([]);
    expect(meta(isv)).to.deep.include({ name: "search", namespace: NAMESPACE });
    expect(isv.inputs.spec).to.deep.equal({
      image: "111111111111.dkr.ecr.us-east-1.amazonaws.com/search-shard-host:1.0.0",
      replicas: 2,
      retentionDays: 366,
      hostMemory: "6Gi",
      flatMaxItems: 250,
      resources: { requests: { cpu: "1", memory: "8Gi" }, limits: { cpu: "2", memory: "8Gi" } },
    });
    // Created once its definition exists: a CustomResource before its CRD fails the first `up`.
    const crd = k8s("CustomResourceDefinition").find((c) => meta(c).name === "indexservings.search.ml-platform.dev");
    expect(isv.dependencies).to.include(crd?.urn);
  });

  it("runs a private, KMS-encrypted, fully logged control plane with API access entries and Pod Identity", () => {
    const cluster = one(plan, "eks:index:Cluster").inputs;
    expect(cluster).to.deep.include({
      name: "search",
      version: "1.33",
      authenticationMode: "API",
      endpointPrivateAccess: true,
      endpointPublicAccess: false,
      skipDefaultNodeGroup: true,
    });
    expect(cluster.encryptionConfigKeyArn).to.match(/^arn:aws:kms:us-east-1:111111111111:key\//);
    expect(cluster.enabledClusterLogTypes).to.have.members([
      "api",
      "audit",
      "authenticator",
      "controllerManager",
      "scheduler",
    ]);
    const key = one(plan, "aws:kms/key:Key");
    expect(key.inputs.enableKeyRotation).to.equal(true);
    // The control plane's role may use that key, and only that key.
    const controlPlane = ofType(plan, "aws:iam/rolePolicy:RolePolicy").find((p) => p.name === "search-control-plane");
    const kms = jsonInput<{ Statement: Statement[] }>(controlPlane as PlannedResource, "policy").Statement;
    expect(kms.flatMap((s) => list(s.Resource))).to.deep.equal([cluster.encryptionConfigKeyArn]);
    expect(grants(kms, "kms:Decrypt", String(cluster.encryptionConfigKeyArn))).to.equal(true);
    const entry = one(plan, "aws:eks/accessEntry:AccessEntry").inputs;
    expect(entry.principalArn).to.equal("arn:aws:iam::111111111111:role/platform-admin");
    expect(ofType(plan, "aws:eks/addon:Addon").map((a) => a.inputs.addonName)).to.have.members([
      "eks-pod-identity-agent",
      "aws-ebs-csi-driver",
    ]);
    const kube = one(plan, "pulumi:providers:kubernetes");
    for (const r of plan.resources.filter((x) => x.type.startsWith("kubernetes:")))
      expect(r.provider, `${r.type} ${r.name} uses the explicit provider`).to.equal(kube.urn);
  });

  it("keeps the asset repository private, encrypted, versioned and TLS-only", () => {
    const block = one(plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs;
    expect(block).to.deep.include({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(one(plan, "aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration).to.deep.equal({
      status: "Enabled",
    });
    const sse = one(
      plan,
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    ).inputs;
    expect(
      (sse.rules as Array<{ applyServerSideEncryptionByDefault: Dict }>)[0].applyServerSideEncryptionByDefault,
    ).to.deep.equal({
      sseAlgorithm: "AES256",
    });
    const policy = jsonInput<{ Statement: Statement[] }>(one(plan, "aws:s3/bucketPolicy:BucketPolicy"), "policy");
    expect(policy.Statement[0]).to.deep.include({
      Effect: "Deny",
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
    expect(list(policy.Statement[0].Resource)).to.deep.equal([assetBucket(), `${assetBucket()}/*`]);
  });

  const failure = async (config: Dict) => {
    const err = await planSearch(config).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(PlanError);
    return (err as Error).message;
  };
  const clusterConfig = (extra: Dict) => ({
    "ml-platform:cluster": {
      name: "search",
      kubernetesVersion: "1.33",
      adminRoleArns: ["arn:aws:iam::111111111111:role/platform-admin"],
      ...extra,
    },
  });

  const buildsConfig = (change: (builds: Dict) => Dict) => ({
    "ml-platform:builds": change(structuredClone(readStackConfig("search")["ml-platform:builds"] as Dict)),
  });

  it("takes the builds' tuning in the build program's setting names, checked against its bounds", async () => {
    const bad = await failure(buildsConfig((b) => ({ ...b, settings: { embedBatch: 0, hnswM: 16, EMBED_BATCH: 32 } })));
    expect(bad).to.contain('ml-platform:builds.settings.embedBatch: invalid settings: EMBED_BATCH="0"');
    expect(bad).to.contain('ml-platform:builds.settings: Unrecognized key: "EMBED_BATCH"');
    expect(bad).to.not.contain("hnswM");
  });

  it("refuses a build schedule that starts before the feed's close grace, and the retired builds.command", async () => {
    const late = await failure(buildsConfig((b) => ({ ...b, settings: { feedCloseGraceSeconds: 1500 } })));
    expect(late).to.contain(
      "ml-platform:builds.tiers.hourly.schedule: starts 1200 s into its window, before the feed's close grace (1500 s",
    );
    expect(late).to.not.contain("tiers.daily");
    // 1200 s: the hourly run at :20 still builds the hour just closed.
    await planSearch(buildsConfig((b) => ({ ...b, settings: { feedCloseGraceSeconds: 1200 } })));
    const every = await failure(
      buildsConfig((b) => {
        const tiers = b.tiers as Record<string, Dict>;
        return { ...b, tiers: { ...tiers, hourly: { ...tiers.hourly, schedule: "*/20 * * * *" } } };
      }),
    );
    expect(every).to.contain("ml-platform:builds.tiers.hourly.schedule: expected the minute as numbers");
    const command = await failure(buildsConfig((b) => ({ ...b, command: ["node", "main.js"] })));
    expect(command).to.contain('ml-platform:builds: Unrecognized key: "command"');
  });

  const hostsConfig = (change: (hosts: Dict) => Dict) => ({
    "ml-platform:hosts": change(structuredClone(readStackConfig("search")["ml-platform:hosts"] as Dict)),
  });

  it("refuses shard hosts that a drain would take offline, or whose segments do not fit under their memory limit, and the retired index block", async () => {
    const single = await failure(hostsConfig((h) => ({ ...h, replicas: 1, grpcPort: undefined, command: ["x"] })));
    expect(single).to.contain(
      "ml-platform:hosts.replicas: expected at least 2, or one node drain takes a host's segments offline",
    );
    expect(single).to.contain('ml-platform:hosts: Unrecognized key: "command"');
    const full = await failure(hostsConfig((h) => ({ ...h, memory: "8Gi" })));
    expect(full).to.contain("ml-platform:hosts.memory: must be below resources.limits.memory");
    const retired = await failure({ "ml-platform:index": { image: "registry.example.com/x/index:1.0.0" } });
    expect(retired).to.contain("ml-platform:index: unknown key");
  });

  it("stops with errors naming the keys for an open endpoint, a latest image, or a GPU AMI of another Kubernetes minor", async () => {
    const open = await failure({
      ...clusterConfig({ publicAccessCidrs: ["0.0.0.0/0"] }),
      "ml-platform:devicePluginImage": "nvcr.io/nvidia/k8s-device-plugin:latest",
    });
    expect(open).to.contain("ml-platform:cluster.publicAccessCidrs.0: the public endpoint must not admit 0.0.0.0/0");
    expect(open).to.contain("ml-platform:devicePluginImage: expected a pinned tag, not :latest");
    const sweep = await failure({
      "ml-platform:repositorySweep": {
        image: "111111111111.dkr.ecr.us-east-1.amazonaws.com/search-repository-sweep:1.0.0",
        staleRunHours: 1,
      },
    });
    expect(sweep).to.contain("ml-platform:repositorySweep.staleRunHours: expected more than the longest build's");
    const minor = await failure(clusterConfig({ kubernetesVersion: "1.34" }));
    expect(minor).to.contain(
      "ml-platform:nodes.gpu.gpuAmi: expected an EKS combination for Kubernetes 1.34 (a name starting al2023-eks1.34-)",
    );
  });
});
