/**
 * Test pieces that pass every policy, shared by the rule tests, the pack test and the violating
 * plans: a test changes one thing of them and expects exactly its own policy to fire.
 */
import { denyInsecureTransport } from "../../infra/shared/bucket-statements";
import type { PlanResource } from "../gate/plan-files";
import { doc, res, type ResourceOptions } from "../gate/testing";

type Obj = Record<string, unknown>;

/** A bucket policy holding the platform's own TLS-only deny, for the bucket `ref` (its name or ARN). */
export const tlsOnlyPolicy = (ref: string) =>
  doc(denyInsecureTransport(ref.startsWith("arn:") ? ref : `arn:aws:s3:::${ref}`));

/**
 * The companions that make the bucket they name pass every S3 policy (public access block,
 * default encryption, TLS-only policy), each naming it by `ref` in its `bucket` input.
 */
export function bucketGuards(ref: string, opts: ResourceOptions = {}): PlanResource[] {
  return [
    res(
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
      `${ref}-pab`,
      {
        bucket: ref,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      opts,
    ),
    res(
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      `${ref}-sse`,
      { bucket: ref, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }] },
      opts,
    ),
    res("aws:s3/bucketPolicy:BucketPolicy", `${ref}-policy`, { bucket: ref, policy: tlsOnlyPolicy(ref) }, opts),
  ];
}

/** EC2 may assume the role: a service that sends no source context, so no condition is asked of it. */
export const serviceTrust = doc({
  Effect: "Allow",
  Principal: { Service: "ec2.amazonaws.com" },
  Action: "sts:AssumeRole",
});

/** `principal` may assume the role with MFA only. */
export const mfaTrust = (principal = "arn:aws:iam::111111111111:root") =>
  doc({
    Effect: "Allow",
    Principal: { AWS: principal },
    Action: "sts:AssumeRole",
    Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } },
  });

/** An IAM role called `name` that EC2 assumes; `inputs` change it. */
export const iamRole = (name: string, inputs: Obj = {}, opts: ResourceOptions = {}) =>
  res("aws:iam/role:Role", name, { name, assumeRolePolicy: serviceTrust, ...inputs }, opts);

/** A Kubernetes container; `change` alters one of its fields, `securityContext` one security setting. */
export const k8sContainer = (change: Obj = {}, securityContext: Obj = {}): Obj => ({
  name: "app",
  image: "registry.example.com/app:1.4.2",
  resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } },
  securityContext: {
    allowPrivilegeEscalation: false,
    runAsNonRoot: true,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
    ...securityContext,
  },
  ...change,
});
