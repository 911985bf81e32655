/** Reusable schema pieces with messages that say what was expected. */
import { z } from "zod";

export const awsAccountId = z.string().regex(/^\d{12}$/, "expected a 12-digit AWS account id");
export const awsRegion = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "expected an AWS region such as us-east-1");
export const cidrBlock = z
  .string()
  .regex(
    /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d|[12]\d|3[0-2])$/,
    "expected an IPv4 CIDR such as 10.20.0.0/16",
  )
  .refine(
    (c) =>
      c
        .split("/")[0]
        .split(".")
        .every((o) => Number(o) <= 255),
    "expected IPv4 octets between 0 and 255",
  );
export const iamArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:iam::\d{12}:(root|(user|group|role)\/[\w+=,.@/-]+)$/, "expected an IAM principal ARN");
export const email = z.string().email("expected an email address");
export const stackName = z
  .string()
  .regex(/^([\w.-]+\/){0,2}[\w.-]+$/, "expected a stack name such as org/ml-platform/management");
/** Tags every resource of a stack carries through the provider's defaultTags. */
export const tags = z.record(z.string().min(1), z.string()).default({});
export const positiveInt = z.number().int().positive();

/** A Kubernetes namespace (a DNS-1123 label). */
export const k8sNamespace = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "expected a namespace name (lower-case DNS label, at most 63)");
const labelName = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/;
const labelPrefix = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
function labelKeyOk(key: string): boolean {
  const slash = key.lastIndexOf("/");
  return slash < 0
    ? labelName.test(key)
    : labelPrefix.test(key.slice(0, slash)) && labelName.test(key.slice(slash + 1));
}
/** Kubernetes labels as a selector matches them: `[prefix/]name` keys, values of at most 63 (empty allowed). */
export const k8sLabels = z.record(z.string(), z.string()).superRefine((labels, ctx) => {
  for (const [key, value] of Object.entries(labels)) {
    if (!labelKeyOk(key))
      ctx.addIssue({ code: "custom", path: [key], message: "expected a label key such as app.kubernetes.io/name" });
    else if (value !== "" && !labelName.test(value))
      ctx.addIssue({ code: "custom", path: [key], message: "expected a label value (at most 63, alphanumeric ends)" });
  }
});

/** A monthly cost budget: forecast above 100% and actual above each threshold notify. */
export const budgetConfig = z.object({
  monthlyLimitUsd: z.number().positive("expected a positive amount in USD"),
  actualThresholds: z.array(z.number().positive().max(1000)).min(1).default([50, 80, 100]),
  emails: z.array(email).min(1, "expected at least one address to notify"),
});
