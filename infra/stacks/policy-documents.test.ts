/**
 * Every policy document any stack emits — IAM, bucket, key, SCP, topic and queue policies — is
 * valid policy JSON. Runs over the whole offline plan, so a new stack is covered by existing here.
 */
import { expect } from "chai";
import { planAll } from "../plan";
import type { StackPlan } from "../plan/types";
import { documentsOf } from "../plan/policy-documents";
import { checkPolicyActions, checkPolicyDocument } from "../shared/policy-document-check";

describe("policy documents in every stack's plan", () => {
  let plans: Map<string, StackPlan>;
  before(async () => {
    const all = await planAll();
    expect(all.failures).to.deep.equal([]);
    plans = all.plans;
  });

  it("are valid policy JSON (version, effects, service:Action, ARNs, principals) naming real actions", async () => {
    let checked = 0;
    const problems: string[] = [];
    for (const plan of plans.values()) {
      for (const r of plan.resources) {
        for (const doc of documentsOf(r)) {
          checked++;
          let parsed: unknown;
          try {
            parsed = typeof doc.text === "string" ? JSON.parse(doc.text) : doc.text;
          } catch {
            problems.push(`${r.urn} ${doc.key}: not JSON`);
            continue;
          }
          for (const p of checkPolicyDocument(parsed, doc.options)) problems.push(`${r.urn} ${doc.key}: ${p}`);
          for (const p of await checkPolicyActions(parsed)) problems.push(`${r.urn} ${doc.key}: ${p}`);
        }
      }
    }
    expect(problems).to.deep.equal([]);
    // The research environment alone emits well over a dozen; an empty walk would prove nothing.
    expect(checked).to.be.greaterThan(10);
  });
});
