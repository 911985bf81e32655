import { expect } from "chai";
import { TAG } from "../../workloads/shared/conventions";
import { fired, res, type Case } from "../gate/testing";

const P = "lambda-function-url-auth";
const CLAIMS = "policy-exemption-claims";
const SLACK = { components: ["ml-platform:ops:SlackBot"] };
const claimed = { tags: { [TAG.policyExemption]: "slack-signed-webhook" } };

const fn = (inputs: Record<string, unknown> = {}, opts: object = SLACK) =>
  res("aws:lambda/function:Function", "bot", { name: "slack-bot", runtime: "nodejs24.x", ...inputs }, opts);
const url = (authorizationType: string, functionName = "slack-bot", opts: object = SLACK) =>
  res("aws:lambda/functionUrl:FunctionUrl", "bot-url", { functionName, authorizationType }, opts);
const openPermission = res("aws:lambda/permission:Permission", "bot-public", {
  action: "lambda:InvokeFunctionUrl",
  function: "slack-bot",
  principal: "*",
  functionUrlAuthType: "NONE",
});

/**
 * The bot's function built by a block inside the SlackBot component, as the offline plan records it:
 * parent links up to the component, a URN whose type chain names the block alone (the SDK mocks'
 * form).
 */
const inBlock = (within: string) => {
  const component = res(within, "bot", {});
  const block = res("ml-platform:blocks:NodeFunction", "bot", {}, { components: [within], parent: component.urn });
  const blockFn = res(
    "aws:lambda/function:Function",
    "bot-function",
    { name: "slack-bot", runtime: "nodejs24.x", ...claimed },
    { components: ["ml-platform:blocks:NodeFunction"], parent: block.urn },
  );
  return [component, block, blockFn, url("NONE", "slack-bot", { components: [within], parent: component.urn })];
};

describe("policy lambda-function-url-auth and the slack-signed-webhook exemption", () => {
  const cases: Case[] = [
    ["a function URL with auth NONE", [fn({}, {}), url("NONE", "slack-bot", {})], [P]],
    ["a permission opening a function URL to everyone", [fn({}, {}), openPermission], [P]],
    ["a function URL with AWS_IAM auth", [fn({}, {}), url("AWS_IAM", "slack-bot", {})], []],
    ["the Slack bot: claimed function in the SlackBot component, URL auth NONE", [fn(claimed), url("NONE")], []],
    [
      "the Slack bot's URL by the function's ARN",
      [fn(claimed), url("NONE", "arn:aws:lambda:us-east-1:111111111111:function:slack-bot")],
      [],
    ],
    ["the Slack bot's public permission goes with its exempt URL", [fn(claimed), url("NONE"), openPermission], []],
    [
      "the claim on a function outside the SlackBot component",
      [fn(claimed, {}), url("NONE", "slack-bot", {})],
      [P, CLAIMS],
    ],
    ["an unclaimed function in the SlackBot component", [fn(), url("NONE")], [P]],
    ["the claimed function built by a block inside the SlackBot component", inBlock("ml-platform:ops:SlackBot"), []],
    [
      "the claimed function built by a block inside another component",
      inBlock("ml-platform:ops:IdleCheck"),
      [P, CLAIMS],
    ],
    [
      "a URL naming another function than the claimed one",
      [fn(claimed), res("aws:lambda/function:Function", "other", { name: "other" }), url("NONE", "other")],
      [P],
    ],
    [
      "a claimed function whose URL is not its own name but a guessed logical name",
      [fn(claimed), url("NONE", "bot")],
      [P],
    ],
  ];
  for (const [what, resources, expected] of cases) {
    it(`${expected.length ? "flags" : "passes"}: ${what}`, async () => {
      expect(await fired(resources)).to.deep.equal(expected);
    });
  }
});
