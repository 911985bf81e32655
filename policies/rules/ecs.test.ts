import { expect } from "chai";
import { res, violations } from "../gate/testing";

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
