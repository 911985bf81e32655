/**
 * NVIDIA's device plugin, declared as a plain DaemonSet (no chart): it advertises each GPU node's
 * `nvidia.com/gpu` capacity to the kubelet. It runs only where the GPU taint is tolerated and the
 * GPU label is set, without privilege, with every capability dropped and one host path: the
 * kubelet's device-plugin socket directory, the exemption the policy pack grants it by name.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { K8S, NVIDIA } from "../../../../workloads/shared/conventions";

/** The policy pack's exemption entry this DaemonSet claims (a kube-system DaemonSet, that host path only). */
export const DEVICE_PLUGIN_EXEMPTION = "nvidia-device-plugin";
export const DEVICE_PLUGIN_PATH = "/var/lib/kubelet/device-plugins";

export interface NvidiaDevicePluginArgs {
  /** Pinned image, such as nvcr.io/nvidia/k8s-device-plugin:v0.20.0. */
  image: string;
  /** The label GPU nodes carry (value "true"). */
  gpuNodeLabel: string;
}

export class NvidiaDevicePlugin extends pulumi.ComponentResource {
  readonly daemonSet: k8s.apps.v1.DaemonSet;

  constructor(name: string, args: NvidiaDevicePluginArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:search:NvidiaDevicePlugin", name, {}, opts);
    const labels = { [K8S.name]: "nvidia-device-plugin", [K8S.partOf]: "ml-platform" };
    this.daemonSet = new k8s.apps.v1.DaemonSet(
      name,
      {
        metadata: {
          name: "nvidia-device-plugin",
          namespace: "kube-system",
          labels,
          annotations: { [K8S.policyExemption]: DEVICE_PLUGIN_EXEMPTION },
        },
        spec: {
          selector: { matchLabels: labels },
          updateStrategy: { type: "RollingUpdate" },
          template: {
            metadata: { labels },
            spec: {
              priorityClassName: "system-node-critical",
              nodeSelector: { [args.gpuNodeLabel]: "true" },
              tolerations: [{ key: NVIDIA.taintKey, operator: "Exists", effect: "NoSchedule" }],
              automountServiceAccountToken: false,
              containers: [
                {
                  name: "nvidia-device-plugin",
                  image: args.image,
                  env: [{ name: "FAIL_ON_INIT_ERROR", value: "false" }],
                  securityContext: {
                    allowPrivilegeEscalation: false,
                    capabilities: { drop: ["ALL"] },
                    readOnlyRootFilesystem: true,
                    seccompProfile: { type: "RuntimeDefault" },
                  },
                  resources: {
                    requests: { cpu: "10m", memory: "32Mi" },
                    limits: { cpu: "100m", memory: "128Mi" },
                  },
                  volumeMounts: [{ name: "device-plugin", mountPath: DEVICE_PLUGIN_PATH }],
                },
              ],
              volumes: [{ name: "device-plugin", hostPath: { path: DEVICE_PLUGIN_PATH, type: "Directory" } }],
            },
          },
        },
      },
      { parent: this },
    );
    this.registerOutputs({ daemonSet: this.daemonSet.metadata.name });
  }
}
