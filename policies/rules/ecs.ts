/** ECS task definitions: containers are never privileged and never run as root. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { forTypes, isRecord, parseJson } from "./util";

const ROOT_USERS = new Set(["root", "0"]);

/** `user` may be "name", "uid", "uid:gid" or "name:group"; the user part decides. */
export function isRootUser(user: unknown): boolean {
  if (typeof user !== "string" || user.trim() === "") return true;
  return ROOT_USERS.has(user.split(":")[0].trim());
}

export const ecsPolicies: ResourceValidationPolicy[] = [
  {
    name: "ecs-container-hardening",
    description: "ECS task definition containers are not privileged and run as a non-root user.",
    enforcementLevel: "mandatory",
    validateResource: forTypes(["aws:ecs/taskDefinition:TaskDefinition"], (props, _args, report) => {
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
      });
    }),
  },
];
