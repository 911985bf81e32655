/**
 * ECS task definitions: containers are never privileged, never run as root (uid 0 in any
 * spelling), add no Linux capabilities, and the task shares no host namespace (network, PID, IPC)
 * and mounts no host path (the Docker socket above all).
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { asArray, forTypes, isRecord, parseJson, type Props } from "./util";

/**
 * `user` may be "name", "uid", "uid:gid" or "name:group"; the user part decides. Unset runs as
 * the image's user, which for most images is root, so unset counts as root too.
 */
export function isRootUser(user: unknown): boolean {
  if (typeof user !== "string" || user.trim() === "") return true;
  const who = user.split(":")[0].trim().toLowerCase();
  return who === "" || who === "root" || (/^\d+$/.test(who) && Number(who) === 0);
}

const DOCKER_SOCKET = /docker\.sock$/;

export const ecsPolicies: ResourceValidationPolicy[] = [
  {
    name: "ecs-container-hardening",
    description:
      "ECS task definitions: containers not privileged, non-root user, no added Linux capabilities; no host network, PID or IPC mode; no host-path volumes (Docker socket included).",
    validateResource: forTypes(["aws:ecs/taskDefinition:TaskDefinition"], (props, _args, report) => {
      for (const mode of ["networkMode", "pidMode", "ipcMode"] as const) {
        if (props[mode] === "host") report(`${mode} is host: the task shares the host's namespace`);
      }
      for (const v of asArray<unknown>(props.volumes)) {
        if (!isRecord(v)) continue;
        const hostPath = typeof v.hostPath === "string" ? v.hostPath : undefined;
        if (hostPath)
          report(
            `volume ${String(v.name ?? "?")} mounts host path ${hostPath}${DOCKER_SOCKET.test(hostPath) ? " (the Docker socket: root on the host)" : ""}`,
          );
      }
      const defs = parseJson(props.containerDefinitions);
      if (!Array.isArray(defs)) {
        report("containerDefinitions is not a JSON array of container definitions");
        return;
      }
      defs.forEach((c: unknown, i) => {
        const name = isRecord(c) && typeof c.name === "string" ? c.name : `#${i}`;
        if (!isRecord(c)) return report(`container ${name} is not an object`);
        if (c.privileged === true) report(`container ${name} is privileged`);
        if (isRootUser(c.user))
          report(`container ${name} must set "user" to a non-root user (got ${JSON.stringify(c.user ?? null)})`);
        const linux = isRecord(c.linuxParameters) ? c.linuxParameters : {};
        const caps = isRecord(linux.capabilities) ? (linux.capabilities as Props) : {};
        const added = asArray<unknown>(caps.add);
        if (added.length > 0) report(`container ${name} adds Linux capabilities ${added.join(", ")}`);
      });
    }),
  },
];
