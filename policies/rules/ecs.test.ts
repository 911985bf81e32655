import { expect } from "chai";
import { fired, res, violations, type Case } from "../gate/testing";

const P = "ecs-container-hardening";
const task = (containers: unknown) =>
  res("aws:ecs/taskDefinition:TaskDefinition", "worker", {
    family: "worker",
    containerDefinitions: typeof containers === "string" ? containers : JSON.stringify(containers),
  });

describe("policy ecs-container-hardening", () => {
  it("flags privileged containers and root or missing users", async () => {
    const v = await violations(
      [
        task([
          { name: "a", image: "x", privileged: true, user: "1000" },
          { name: "b", image: "x" },
          { name: "c", image: "x", user: "0:0" },
          { name: "d", image: "x", user: "root" },
        ]),
      ],
      P,
    );
    expect(v.map((x) => x.message)).to.deep.equal([
      "container a is privileged",
      'container b must set "user" to a non-root user (got null)',
      'container c must set "user" to a non-root user (got "0:0")',
      'container d must set "user" to a non-root user (got "root")',
    ]);
  });
  it("flags container definitions that are not a JSON array", async () => {
    expect((await violations([task("not json")], P))[0].message).to.contain("not a JSON array");
  });
  it("passes unprivileged non-root containers", async () => {
    expect(
      await violations(
        [
          task([
            { name: "a", image: "x", user: "1000:1000", privileged: false },
            { name: "b", image: "x", user: "app" },
          ]),
        ],
        P,
      ),
    ).to.deep.equal([]);
  });
});

describe("ecs-container-hardening: capabilities, host namespaces and paths, uid 0 in any spelling", () => {
  const ok = { name: "app", image: "app:1", user: "10001:10001", linuxParameters: { capabilities: { drop: ["ALL"] } } };
  const taskWith = (inputs: Record<string, unknown>, containers: object[] = [ok]) =>
    res("aws:ecs/taskDefinition:TaskDefinition", "t", {
      family: "t",
      networkMode: "awsvpc",
      containerDefinitions: JSON.stringify(containers),
      ...inputs,
    });
  const cases: Case[] = [
    ["a compliant task", [taskWith({})], []],
    [
      "an added capability",
      [taskWith({}, [{ ...ok, linuxParameters: { capabilities: { add: ["SYS_ADMIN"] } } }])],
      [P],
    ],
    ["host network mode", [taskWith({ networkMode: "host" })], [P]],
    ["host PID mode", [taskWith({ pidMode: "host" })], [P]],
    ["host IPC mode", [taskWith({ ipcMode: "host" })], [P]],
    ["the Docker socket mounted", [taskWith({ volumes: [{ name: "docker", hostPath: "/var/run/docker.sock" }] })], [P]],
    ["another host path", [taskWith({ volumes: [{ name: "etc", hostPath: "/etc" }] })], [P]],
    ["a task-scoped volume", [taskWith({ volumes: [{ name: "scratch" }] })], []],
    ...["0", "0:0", "root", "root:root", "ROOT", " 0 ", "000", "0:1000"].map((user): Case => [
      `user ${JSON.stringify(user)}`,
      [taskWith({}, [{ ...ok, user }])],
      [P],
    ]),
    ...["10001", "1000:0", "app", "app:root"].map((user): Case => [
      `user ${JSON.stringify(user)}`,
      [taskWith({}, [{ ...ok, user }])],
      [],
    ]),
  ];
  for (const [what, resources, expected] of cases) {
    it(`${expected.length ? "flags" : "passes"}: ${what}`, async () => {
      expect(await fired(resources)).to.deep.equal(expected);
    });
  }
});
