import { expect } from "chai";
import { K8S } from "../../workloads/shared/conventions";
import { fired, res, type Case } from "../gate/testing";
import type { PlanResource } from "../gate/plan-files";
import { k8sContainer as container } from "./compliant.testing";

const POD = "k8s-pod-security";
const ROOT = "k8s-run-as-non-root";
const HOST_PATH = "k8s-no-host-path";
const RESOURCES = "k8s-resources-bounded";
const IMAGE = "k8s-image-pinned";
const CLAIMS = "policy-exemption-claims";

type Obj = Record<string, unknown>;

const pod = (change: Obj = {}): Obj => ({ containers: [container()], ...change });
const metadata = { namespace: "apps" };
const deployment = (spec: Obj = pod(), meta: Obj = metadata) =>
  res("kubernetes:apps/v1:Deployment", "app", { metadata: meta, spec: { replicas: 2, template: { spec } } });

/** Every workload kind with the same pod, to show each is read at its own path. */
const kinds: [string, (spec: Obj) => PlanResource][] = [
  ["Deployment", (spec) => deployment(spec)],
  ["DaemonSet", (spec) => res("kubernetes:apps/v1:DaemonSet", "ds", { metadata, spec: { template: { spec } } })],
  ["StatefulSet", (spec) => res("kubernetes:apps/v1:StatefulSet", "ss", { metadata, spec: { template: { spec } } })],
  ["Job", (spec) => res("kubernetes:batch/v1:Job", "job", { metadata, spec: { template: { spec } } })],
  [
    "CronJob",
    (spec) =>
      res("kubernetes:batch/v1:CronJob", "cron", {
        metadata,
        spec: { schedule: "0 * * * *", jobTemplate: { spec: { template: { spec } } } },
      }),
  ],
  ["Pod", (spec) => res("kubernetes:core/v1:Pod", "pod", { metadata, spec })],
  // An operator's pods, declared as a PodTemplate it reads (the segment builds).
  ["PodTemplate", (spec) => res("kubernetes:core/v1:PodTemplate", "pt", { metadata, template: { spec } })],
];

describe("Kubernetes workload policies", () => {
  const perKind: Case[] = kinds.flatMap(([kind, make]): Case[] => [
    [`${kind}: compliant`, [make(pod())], []],
    [`${kind}: privileged container`, [make(pod({ containers: [container({}, { privileged: true })] }))], [POD]],
    [`${kind}: runs as root`, [make(pod({ containers: [container({}, { runAsNonRoot: false })] }))], [ROOT]],
    [
      `${kind}: hostPath volume`,
      [make(pod({ volumes: [{ name: "h", hostPath: { path: "/var/run" } }] }))],
      [HOST_PATH],
    ],
    [
      `${kind}: no resource limits`,
      [make(pod({ containers: [container({ resources: { requests: { cpu: "1", memory: "1Gi" } } })] }))],
      [RESOURCES],
    ],
    [`${kind}: :latest image`, [make(pod({ containers: [container({ image: "app:latest" })] }))], [IMAGE]],
  ]);
  const cases: Case[] = [
    ...perKind,
    ["hostNetwork", [deployment(pod({ hostNetwork: true }))], [POD]],
    ["hostPID", [deployment(pod({ hostPID: true }))], [POD]],
    ["hostIPC", [deployment(pod({ hostIPC: true }))], [POD]],
    [
      "allowPrivilegeEscalation unset",
      [deployment(pod({ containers: [container({}, { allowPrivilegeEscalation: undefined })] }))],
      [POD],
    ],
    [
      "runAsNonRoot unset on the container and the pod",
      [deployment(pod({ containers: [container({}, { runAsNonRoot: undefined })] }))],
      [ROOT],
    ],
    [
      "runAsNonRoot from the pod's securityContext",
      [
        deployment(
          pod({ securityContext: { runAsNonRoot: true }, containers: [container({}, { runAsNonRoot: undefined })] }),
        ),
      ],
      [],
    ],
    [
      "the container overriding the pod's runAsNonRoot with false",
      [
        deployment(
          pod({ securityContext: { runAsNonRoot: true }, containers: [container({}, { runAsNonRoot: false })] }),
        ),
      ],
      [ROOT],
    ],
    ["runAsUser 0 on the pod", [deployment(pod({ securityContext: { runAsUser: 0 } }))], [ROOT]],
    [
      "capabilities not dropping ALL",
      [deployment(pod({ containers: [container({}, { capabilities: { drop: ["NET_RAW"] } })] }))],
      [POD],
    ],
    [
      "an added capability",
      [
        deployment(
          pod({ containers: [container({}, { capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] } })] }),
        ),
      ],
      [POD],
    ],
    [
      "a writable root filesystem",
      [deployment(pod({ containers: [container({}, { readOnlyRootFilesystem: false })] }))],
      [POD],
    ],
    [
      "an init container running privileged",
      [deployment(pod({ initContainers: [container({ name: "init" }, { privileged: true })] }))],
      [POD],
    ],
    [
      "an init container without requests",
      [
        deployment(
          pod({ initContainers: [container({ name: "init", resources: { limits: { cpu: "1", memory: "1Gi" } } })] }),
        ),
      ],
      [RESOURCES],
    ],
    [
      "an untagged image",
      [deployment(pod({ containers: [container({ image: "registry.example.com:5000/app" })] }))],
      [IMAGE],
    ],
    [
      "an image pinned by digest",
      [deployment(pod({ containers: [container({ image: `app@sha256:${"a".repeat(64)}` })] }))],
      [],
    ],
    [
      "a registry port but a real tag",
      [deployment(pod({ containers: [container({ image: "registry.example.com:5000/app:2.0" })] }))],
      [],
    ],
  ];
  for (const [what, resources, expected] of cases) {
    it(`${expected.length ? "flags" : "passes"}: ${what}`, async () => {
      expect(await fired(resources)).to.deep.equal(expected);
    });
  }
});

describe("the nvidia-device-plugin exemption (its host path, and root to write its socket)", () => {
  const PLUGIN_PATH = "/var/lib/kubelet/device-plugins";
  const plugin = (annotation: string | undefined, namespace = "kube-system", paths = [PLUGIN_PATH], extra: Obj = {}) =>
    res("kubernetes:apps/v1:DaemonSet", "nvidia-device-plugin", {
      metadata: { namespace, ...(annotation ? { annotations: { [K8S.policyExemption]: annotation } } : {}) },
      spec: {
        template: {
          spec: pod({
            volumes: paths.map((path, i) => ({ name: `v${i}`, hostPath: { path } })),
            ...extra,
          }),
        },
      },
    });
  const cases: Case[] = [
    ["the device plugin claiming the entry", [plugin("nvidia-device-plugin")], []],
    ["the device plugin without the claim", [plugin(undefined)], [HOST_PATH]],
    ["the claim in another namespace", [plugin("nvidia-device-plugin", "apps")], [HOST_PATH, CLAIMS]],
    [
      "the claim with a second host path",
      [plugin("nvidia-device-plugin", "kube-system", [PLUGIN_PATH, "/"])],
      [HOST_PATH, CLAIMS],
    ],
    [
      "the claim with the docker socket instead",
      [plugin("nvidia-device-plugin", "kube-system", ["/var/run/docker.sock"])],
      [HOST_PATH, CLAIMS],
    ],
    [
      "the device plugin as root (its socket directory is root's), claiming the entry",
      [
        plugin("nvidia-device-plugin", "kube-system", [PLUGIN_PATH], {
          containers: [container({}, { runAsNonRoot: false, runAsUser: 0 })],
        }),
      ],
      [],
    ],
    [
      "the device plugin as root without the claim",
      [
        plugin(undefined, "kube-system", [PLUGIN_PATH], {
          containers: [container({}, { runAsNonRoot: false, runAsUser: 0 })],
        }),
      ],
      [ROOT, HOST_PATH].sort(),
    ],
    [
      "the claim waives nothing else: privileged stays flagged",
      [plugin("nvidia-device-plugin", "kube-system", [PLUGIN_PATH], { hostNetwork: true })],
      [POD],
    ],
    [
      "a claim of an entry that does not exist",
      [deployment(pod(), { ...metadata, annotations: { [K8S.policyExemption]: "trust-me" } })],
      [CLAIMS],
    ],
    [
      "the claim on a Deployment",
      [
        res("kubernetes:apps/v1:Deployment", "d", {
          metadata: { namespace: "kube-system", annotations: { [K8S.policyExemption]: "nvidia-device-plugin" } },
          spec: { template: { spec: pod({ volumes: [{ name: "v", hostPath: { path: PLUGIN_PATH } }] }) } },
        }),
      ],
      [HOST_PATH, CLAIMS],
    ],
  ];
  for (const [what, resources, expected] of cases) {
    it(`${expected.length ? "flags" : "passes"}: ${what}`, async () => {
      expect(await fired(resources)).to.deep.equal(expected);
    });
  }
});
