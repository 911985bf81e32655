import { expect } from "chai";
import { fired, res, type Case } from "../gate/testing";
import { RBAC_WILDCARD_POLICY } from "./rbac";

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };

const GROUP = "search.ml-platform.dev";
/** A rule that passes: named kinds and verbs on a custom group. */
const rule = (change: Partial<Rule> = {}): Rule => ({
  apiGroups: [GROUP],
  resources: ["segmentbuilds"],
  verbs: ["get", "list", "watch"],
  ...change,
});
const role = (rules: Rule[]) =>
  res("kubernetes:rbac.authorization.k8s.io/v1:Role", "r", { metadata: { namespace: "search" }, rules });
const clusterRole = (rules: Rule[]) => res("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "cr", { rules });

describe("Kubernetes RBAC policy: no wildcards on custom resources", () => {
  const perKind: Case[] = (
    [
      ["Role", role],
      ["ClusterRole", clusterRole],
    ] as const
  ).flatMap(([kind, make]): Case[] => [
    [`${kind}: named kinds and verbs on a custom group`, [make([rule()])], []],
    [`${kind}: verbs * on a custom group`, [make([rule({ verbs: ["*"] })])], [RBAC_WILDCARD_POLICY]],
    [`${kind}: resources * on a custom group`, [make([rule({ resources: ["*"] })])], [RBAC_WILDCARD_POLICY]],
    [`${kind}: verbs * on apiGroups *`, [make([rule({ apiGroups: ["*"], verbs: ["*"] })])], [RBAC_WILDCARD_POLICY]],
    [
      `${kind}: resources * on apiGroups *, read-only`,
      [make([rule({ apiGroups: ["*"], resources: ["*"] })])],
      [RBAC_WILDCARD_POLICY],
    ],
    [`${kind}: named kinds on apiGroups *`, [make([rule({ apiGroups: ["*"] })])], []],
    [
      `${kind}: verbs * on a built-in group (not this rule's)`,
      [make([rule({ apiGroups: ["batch"], verbs: ["*"] })])],
      [],
    ],
    [`${kind}: resources * on the core group`, [make([rule({ apiGroups: [""], resources: ["*"] })])], []],
    [
      `${kind}: a custom group listed beside a built-in one`,
      [make([rule({ apiGroups: ["apps", "kafka.strimzi.io"], verbs: ["*"] })])],
      [RBAC_WILDCARD_POLICY],
    ],
    [
      `${kind}: the wildcard in a later rule`,
      [make([rule(), rule({ apiGroups: ["monitoring.coreos.com"], resources: ["*"] })])],
      [RBAC_WILDCARD_POLICY],
    ],
  ]);
  const cases: Case[] = [
    ...perKind,
    ["an aggregated ClusterRole without rules", [clusterRole([])], []],
    [
      "the segment operator's rules (status and finalizers subresources named)",
      [
        role([
          rule({ verbs: ["get", "list", "watch", "patch"] }),
          rule({ resources: ["segmentbuilds/status", "segmentbuilds/finalizers"], verbs: ["update"] }),
        ]),
      ],
      [],
    ],
  ];
  for (const [what, resources, expected] of cases) {
    it(`${expected.length ? "flags" : "passes"}: ${what}`, async () => {
      expect(await fired(resources)).to.deep.equal(expected);
    });
  }
});
