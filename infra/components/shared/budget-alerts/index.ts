/**
 * A monthly cost budget that notifies through an SNS topic: when the forecast passes 100% and
 * when actual spend passes each configured threshold. Topic and budget carry the guardrail tag
 * and the topic the platform's name prefix: in a research account the SCP denies member
 * principals every change to them (subscriptions included, by the topic's name).
 *
 * In `shared/`: the management layer (the payer's budget) and the research layer (each account's) both deploy it.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { GUARDRAIL_VALUE, PLATFORM_NAMES, TAG } from "../../../../workloads/shared/conventions";

export interface BudgetAlertsArgs {
  accountId: string;
  monthlyLimitUsd: number;
  /** Percentages of the limit at which actual spend notifies, e.g. [50, 80, 100]. */
  actualThresholds: number[];
  emails: string[];
  /** Restrict the budget to these linked accounts (payer-side budgets); omit for the whole account. */
  linkedAccountIds?: pulumi.Input<string[]>;
}

export class BudgetAlerts extends pulumi.ComponentResource {
  readonly topic: aws.sns.Topic;
  readonly budget: aws.budgets.Budget;

  constructor(name: string, args: BudgetAlertsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ml-platform:shared:BudgetAlerts", name, {}, opts);
    const child = { parent: this };
    const tags = { [TAG.guardrail]: GUARDRAIL_VALUE };
    this.topic = new aws.sns.Topic(`${name}-alerts`, { name: `${PLATFORM_NAMES.prefix}${name}-alerts`, tags }, child);
    new aws.sns.TopicPolicy(
      `${name}-alerts-policy`,
      {
        arn: this.topic.arn,
        policy: this.topic.arn.apply((topicArn) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Sid: "BudgetsPublishForThisAccount",
                Effect: "Allow",
                Principal: { Service: "budgets.amazonaws.com" },
                Action: "sns:Publish",
                Resource: topicArn,
                Condition: { StringEquals: { "aws:SourceAccount": args.accountId } },
              },
            ],
          } satisfies aws.iam.PolicyDocument),
        ),
      },
      child,
    );
    args.emails.forEach((email, i) => {
      new aws.sns.TopicSubscription(
        `${name}-email-${i}`,
        { topic: this.topic.arn, protocol: "email", endpoint: email },
        child,
      );
    });

    const notify = (type: "ACTUAL" | "FORECASTED", threshold: number) => ({
      comparisonOperator: "GREATER_THAN",
      notificationType: type,
      threshold,
      thresholdType: "PERCENTAGE",
      subscriberSnsTopicArns: [this.topic.arn],
    });
    this.budget = new aws.budgets.Budget(
      name,
      {
        accountId: args.accountId,
        budgetType: "COST",
        timeUnit: "MONTHLY",
        limitAmount: args.monthlyLimitUsd.toFixed(2),
        limitUnit: "USD",
        costFilters: args.linkedAccountIds ? [{ name: "LinkedAccount", values: args.linkedAccountIds }] : undefined,
        notifications: [notify("FORECASTED", 100), ...args.actualThresholds.map((t) => notify("ACTUAL", t))],
        tags,
      },
      child,
    );
    this.registerOutputs({ topicArn: this.topic.arn, budgetName: this.budget.name });
  }
}
