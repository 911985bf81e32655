import { expect } from "chai";
import { res, violations } from "../gate/testing";

const doc = (statement: Record<string, unknown>) => JSON.stringify({ Version: "2012-10-17", Statement: [statement] });
const admin = doc({ Effect: "Allow", Action: "*", Resource: "*" });
const readOnly = doc({ Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::data/*" });
const ec2Trust = doc({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" });
const role = (name: string, inputs: Record<string, unknown> = {}) =>
  res("aws:iam/role:Role", name, { assumeRolePolicy: ec2Trust, ...inputs });
const ADMIN_ARN = "arn:aws:iam::aws:policy/AdministratorAccess";

describe("policy iam-no-admin-wildcard", () => {
  const P = "iam-no-admin-wildcard";

  it("flags * on * in role inline policies, role policies and managed policies", async () => {
    const worker = role("worker", { inlinePolicies: [{ name: "all", policy: admin }] });
    const v = await violations(
      [
        worker,
        res("aws:iam/rolePolicy:RolePolicy", "worker-extra", { role: "worker", policy: admin }),
        res("aws:iam/policy:Policy", "everything", { policy: admin }),
      ],
      P,
    );
    expect(v.map((x) => String(x.urn).split("::").pop())).to.deep.equal(["worker", "worker-extra", "everything"]);
  });

  it("flags AdministratorAccess attached to an ordinary role", async () => {
    const v = await violations(
      [
        role("worker"),
        res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "worker-admin", {
          role: "worker",
          policyArn: ADMIN_ARN,
        }),
      ],
      P,
    );
    expect(v).to.have.length(1);
    expect(v[0].message).to.contain("role worker");
  });

  it("passes scoped policies", async () => {
    expect(
      await violations(
        [
          role("worker", { inlinePolicies: [{ name: "read", policy: readOnly }] }),
          res("aws:iam/policy:Policy", "read", { policy: readOnly }),
        ],
        P,
      ),
    ).to.deep.equal([]);
  });

  it("exempts the research-admin role by logical name, via role input or dependency", async () => {
    const ra = role("research-admin", { name: "ResearchAdmin", inlinePolicies: [{ name: "all", policy: admin }] });
    const byName = res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "ra-admin", {
      role: "ResearchAdmin",
      policyArn: ADMIN_ARN,
    });
    const byDep = res(
      "aws:iam/rolePolicy:RolePolicy",
      "ra-extra",
      { role: "<computed>", policy: admin },
      { dependencies: [ra.urn] },
    );
    expect(await violations([ra, byName, byDep], P)).to.deep.equal([]);
  });

  it("takes the exemption list from config", async () => {
    const ra = role("research-admin", { inlinePolicies: [{ name: "all", policy: admin }] });
    expect(await violations([ra], P, { [P]: { exemptRoles: [] } })).to.have.length(1);
  });
});

describe("policy iam-cross-account-trust-conditions", () => {
  const P = "iam-cross-account-trust-conditions";
  const trust = (condition?: Record<string, unknown>) =>
    role("cross", {
      assumeRolePolicy: doc({
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::222222222222:root" },
        Action: "sts:AssumeRole",
        ...(condition ? { Condition: condition } : {}),
      }),
    });

  it("flags another account's principals without MFA or external id", async () => {
    const v = await violations([trust()], P);
    expect(v).to.have.length(1);
    expect(v[0].message).to.contain("arn:aws:iam::222222222222:root");
  });

  it("passes with MFA, with an external id, for service principals, and for trusted accounts", async () => {
    expect(await violations([trust({ Bool: { "aws:MultiFactorAuthPresent": "true" } })], P)).to.deep.equal([]);
    expect(await violations([trust({ StringEquals: { "sts:ExternalId": "abc" } })], P)).to.deep.equal([]);
    expect(await violations([role("svc")], P)).to.deep.equal([]);
    expect(await violations([trust()], P, { [P]: { trustedAccounts: ["222222222222"] } })).to.deep.equal([]);
  });
});

describe("policy iam-no-user-inline-policies", () => {
  const P = "iam-no-user-inline-policies";
  it("flags a user inline policy and passes a user without one", async () => {
    const user = res("aws:iam/user:User", "alice", { name: "alice" });
    expect(
      await violations(
        [user, res("aws:iam/userPolicy:UserPolicy", "alice-inline", { user: "alice", policy: readOnly })],
        P,
      ),
    ).to.have.length(1);
    expect(await violations([user], P)).to.deep.equal([]);
  });
});

describe("IAM stack policies with values known only after deployment", () => {
  it("note an unknown trust policy as advisory and still check other roles", async () => {
    const open = doc({ Effect: "Allow", Principal: { AWS: "333333333333" }, Action: "sts:AssumeRole" });
    const v = await violations(
      [role("pending", { assumeRolePolicy: "<computed>" }), role("open", { assumeRolePolicy: open })],
      "iam-cross-account-trust-conditions",
    );
    expect(v.map((x) => [String(x.urn).split("::").pop(), x.enforcementLevel])).to.deep.equal([
      ["pending", "advisory"],
      ["open", "mandatory"],
    ]);
    expect(v[0].message).to.contain("can't check during preview");
  });
});
