/**
 * The Kubernetes client configuration of a process running in a pod: its service account's token and the API
 * server the pod's environment names. Every in-cluster service main starts from it; tests and local runs build
 * their own from a kubeconfig instead.
 */
import * as k8s from "@kubernetes/client-node";

export function inCluster(): k8s.KubeConfig {
  const kubeconfig = new k8s.KubeConfig();
  kubeconfig.loadFromCluster();
  return kubeconfig;
}
