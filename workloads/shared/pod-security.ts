/**
 * The security contexts every platform pod runs with: what PodSecurity `restricted` requires
 * (non-root, no privilege escalation, no capabilities, RuntimeDefault seccomp) plus a read-only
 * root filesystem. One definition for the pods the stacks declare (infra's pod-workload block)
 * and the pods a controller writes at run time (the segment controller's shard hosts), so the two
 * cannot drift. Plain objects: workloads do not depend on Pulumi's types, and these are
 * structurally the Kubernetes API's.
 */

export interface RestrictedPodSecurityContext {
  runAsNonRoot: true;
  runAsUser: number;
  runAsGroup: number;
  fsGroup: number;
  seccompProfile: { type: "RuntimeDefault" };
}

export interface RestrictedContainerSecurityContext {
  runAsNonRoot: true;
  allowPrivilegeEscalation: false;
  readOnlyRootFilesystem: true;
  privileged: false;
  capabilities: { drop: ["ALL"] };
  seccompProfile: { type: "RuntimeDefault" };
}

/** Pod level: a fixed non-root uid/gid, so volumes (caches, downloaded segments) are writable by that uid only. */
export function restrictedPodSecurityContext(uid: number): RestrictedPodSecurityContext {
  if (!Number.isInteger(uid) || uid < 1) throw new Error(`pod security: uid ${uid} must be a non-root uid (>= 1)`);
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** Container level, for every container and init container. */
export function restrictedContainerSecurityContext(): RestrictedContainerSecurityContext {
  return {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    privileged: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}
