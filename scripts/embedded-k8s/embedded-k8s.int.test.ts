import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as net from "node:net";
import { KUBERNETES_VERSION, startEmbeddedKubernetes, type EmbeddedKubernetes, type KubeObject } from "./index";

// One cluster for the whole file: starting one costs seconds, so the tests share it and the last
// one stops it (the after hook stops it too, whatever happened before).

const restrictedContainer = {
  name: "app",
  image: "registry.example/app:1.0",
  securityContext: {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    runAsNonRoot: true,
    runAsUser: 10001,
    seccompProfile: { type: "RuntimeDefault" },
  },
};

function pod(name: string, container: Record<string, unknown>): KubeObject {
  return { apiVersion: "v1", kind: "Pod", metadata: { name }, spec: { containers: [container] } };
}

const privilegedContainer = {
  name: "app",
  image: "registry.example/app:1.0",
  securityContext: { privileged: true },
};

function deployment(name: string, container: Record<string, unknown>, replicas = 1): KubeObject {
  const labels = { app: name };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ ...container, ports: [{ containerPort: 8080 }] }] } },
    },
  };
}

async function poll<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Whether something accepts TCP connections on the loopback port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** True while the process exists and is not a zombie. */
function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(" ")[2] !== "Z";
  } catch {
    return false;
  }
}

describe("embedded Kubernetes (etcd, kube-apiserver, controller-manager, scheduler, KWOK)", function () {
  this.timeout(180_000);
  let k8s: EmbeddedKubernetes;

  before(async () => {
    k8s = await startEmbeddedKubernetes();
  });
  after(async () => {
    await k8s?.stop();
  });

  it("is a real API server on loopback reporting the pinned version", async () => {
    expect(k8s.server).to.match(/^https:\/\/127\.0\.0\.1:\d+$/);
    const version = await k8s.kubectl(["version", "-o", "json"]);
    expect(version.code, version.stderr).to.equal(0);
    expect(JSON.parse(version.stdout).serverVersion.gitVersion).to.equal(KUBERNETES_VERSION);
    const kubeconfig = readFileSync(k8s.kubeconfig, "utf8");
    expect(kubeconfig).to.include(k8s.server).and.include(k8s.token);
  });

  it("authorizes with RBAC: a service account without a role is denied until a Role grants it", async () => {
    await k8s.ensureNamespace("rbac-check");
    await k8s.apply([{ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "nobody" } }], "rbac-check");
    const issued = await k8s.kubectl(["-n", "rbac-check", "create", "token", "nobody"]);
    expect(issued.code, issued.stderr).to.equal(0);
    const asNobody = ["--token", issued.stdout.trim(), "-n", "rbac-check", "get", "pods"];
    // The token authenticates (no 401) but the user may not list pods.
    const denied = await k8s.kubectl(asNobody);
    expect(denied.code).to.not.equal(0);
    expect(denied.stderr).to.match(/forbidden.*system:serviceaccount:rbac-check:nobody.*cannot list resource "pods"/i);

    await k8s.apply(
      [
        {
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind: "Role",
          metadata: { name: "pod-reader" },
          rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }],
        },
        {
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind: "RoleBinding",
          metadata: { name: "nobody-reads-pods" },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "pod-reader" },
          subjects: [{ kind: "ServiceAccount", name: "nobody", namespace: "rbac-check" }],
        },
      ],
      "rbac-check",
    );
    const allowed = await poll("the RoleBinding to take effect", 10_000, async () => {
      const result = await k8s.kubectl(asNobody);
      return result.code === 0 ? result : undefined;
    });
    expect(allowed.code).to.equal(0);
  });

  it("enforces PodSecurity restricted on Pods in a server-side dry-run", async () => {
    await k8s.ensureNamespace("locked", { "pod-security.kubernetes.io/enforce": "restricted" });
    await k8s.ensureNamespace("open");
    const [privileged, compliant] = await k8s.dryRunApply(
      [pod("privileged", privilegedContainer), pod("compliant", restrictedContainer)],
      "locked",
    );
    expect(privileged.object).to.equal("Pod/locked/privileged");
    expect(privileged.accepted).to.equal(false);
    expect(privileged.message).to.match(/violates PodSecurity "restricted:latest".*privileged/);
    expect(compliant).to.deep.equal({ object: "Pod/locked/compliant", accepted: true, message: "" });
    // The same privileged Pod passes where no level is enforced: PodSecurity is what refused it.
    const [elsewhere] = await k8s.dryRunApply([pod("privileged", privilegedContainer)], "open");
    expect(elsewhere.accepted, elsewhere.message).to.equal(true);
    // A dry run creates nothing.
    const pods = await k8s.kubectl(["-n", "locked", "get", "pods", "-o", "name"]);
    expect(pods.stdout.trim()).to.equal("");
  });

  it("rejects a Deployment whose pod template violates restricted only because warnings are errors", async () => {
    const [violating, compliant] = await k8s.dryRunApply(
      [deployment("violating", privilegedContainer), deployment("compliant", restrictedContainer)],
      "locked",
    );
    expect(violating.accepted).to.equal(false);
    expect(violating.message).to.match(/would violate PodSecurity "restricted:latest"/);
    expect(compliant.accepted, compliant.message).to.equal(true);
    // Without --warnings-as-errors the server accepts it with a warning: the flag is what catches it.
    const lenient = await k8s.kubectl(
      ["apply", "--dry-run=server", "-n", "locked", "-f", "-"],
      JSON.stringify(deployment("violating", privilegedContainer)),
    );
    expect(lenient.code, lenient.stderr).to.equal(0);
    expect(lenient.stderr).to.match(/Warning: would violate PodSecurity/);
  });

  it("gives a Deployment behind a Service a ready EndpointSlice through the scheduler and KWOK", async () => {
    await k8s.ensureNamespace("serving", { "pod-security.kubernetes.io/enforce": "restricted" });
    await k8s.apply(
      [
        deployment("web", restrictedContainer, 2),
        {
          apiVersion: "v1",
          kind: "Service",
          metadata: { name: "web" },
          spec: { selector: { app: "web" }, ports: [{ port: 80, targetPort: 8080 }] },
        },
      ],
      "serving",
    );
    const ready = await poll("2 ready endpoints for Service web", 60_000, async () => {
      const got = await k8s.kubectl([
        "-n",
        "serving",
        "get",
        "endpointslices",
        "-l",
        "kubernetes.io/service-name=web",
        "-o",
        "json",
      ]);
      if (got.code !== 0) return undefined;
      const endpoints = (
        JSON.parse(got.stdout) as {
          items: { endpoints?: { addresses: string[]; conditions: { ready?: boolean } }[] }[];
        }
      ).items.flatMap((slice) => slice.endpoints ?? []);
      const readyOnes = endpoints.filter((e) => e.conditions.ready === true);
      return readyOnes.length === 2 ? readyOnes : undefined;
    });
    expect(ready.flatMap((e) => e.addresses)).to.have.length(2);
    const pods = await k8s.kubectl(["-n", "serving", "get", "pods", "-o", "jsonpath={.items[*].spec.nodeName}"]);
    expect(pods.stdout.split(" ")).to.deep.equal(["kwok-node-0", "kwok-node-0"]);
  });

  it("stop() ends every component and the API server stops answering", async () => {
    const pids = k8s.pids();
    expect(await accepts(Number(new URL(k8s.server).port))).to.equal(true);
    expect(Object.keys(pids).sort()).to.deep.equal(
      ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"].sort(),
    );
    for (const pid of Object.values(pids)) expect(alive(pid)).to.equal(true);
    await k8s.stop();
    expect(Object.entries(pids).filter(([, pid]) => alive(pid))).to.deep.equal([]);
    expect(await accepts(Number(new URL(k8s.server).port))).to.equal(false);
  });
});
