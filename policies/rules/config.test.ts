import { expect } from "chai";
import { compliant, fired, res, type Case } from "../gate/testing";

const ALL = "config-records-all-resources";
const ON = "config-recording-enabled";
const budget = res("aws:budgets/budget:Budget", "b", {
  budgetType: "COST",
  limitAmount: "10",
  limitUnit: "USD",
  timeUnit: "MONTHLY",
});
const recorder = compliant("aws:cfg/recorder:Recorder", "rec", {
  name: "default",
  roleArn: "arn:aws:iam::111111111111:role/config",
  recordingGroup: { allSupported: true, includeGlobalResourceTypes: true },
});
const status = (isEnabled: boolean, name = "default") =>
  res("aws:cfg/recorderStatus:RecorderStatus", "on", { name, isEnabled });

describe("AWS Config policies", () => {
  const cases: Case[] = [
    ["a recorder of everything, started", [recorder(), status(true)], []],
    ["an unnamed recorder (default) started by name default", [recorder({ name: undefined }), status(true)], []],
    [
      "a recorder of listed types only",
      [recorder({ recordingGroup: { allSupported: false, resourceTypes: ["AWS::EC2::Instance"] } }), status(true)],
      [ALL],
    ],
    [
      "a recorder excluding types",
      [
        recorder({
          recordingGroup: {
            allSupported: false,
            exclusionByResourceTypes: [{ resourceTypes: ["AWS::IAM::Role"] }],
            recordingStrategies: [{ useOnly: "EXCLUSION_BY_RESOURCE_TYPES" }],
          },
        }),
        status(true),
      ],
      [ALL],
    ],
    ["recording stopped (isEnabled false)", [recorder(), status(false)], [ON]],
    ["a recorder nothing starts", [recorder()], [ON]],
    ["a status starting another recorder", [recorder(), status(true, "other")], [ON]],
  ];
  for (const [what, resources, expected] of cases) {
    it(`${expected.length ? "flags" : "passes"}: ${what}`, async () => {
      expect(await fired([...resources, budget])).to.deep.equal(expected);
    });
  }
});
