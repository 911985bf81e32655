/**
 * What lets an EventBridge rule run a Lambda function: the rule's target and the function's
 * permission for EventBridge, limited to calls from that rule. Without the permission the target
 * is accepted and every invocation fails silently.
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

/** Declares the target and the permission under `parent`, both named `name`. */
export function ruleInvokesFunction(
  name: string,
  rule: aws.cloudwatch.EventRule,
  fn: aws.lambda.Function,
  parent: pulumi.Resource,
): void {
  new aws.cloudwatch.EventTarget(name, { rule: rule.name, arn: fn.arn }, { parent });
  new aws.lambda.Permission(
    name,
    { action: "lambda:InvokeFunction", function: fn.name, principal: "events.amazonaws.com", sourceArn: rule.arn },
    { parent },
  );
}
