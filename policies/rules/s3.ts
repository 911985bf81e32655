/**
 * S3 buckets. In @pulumi/aws 7 most bucket settings live in separate resources that name the
 * bucket in their `bucket` input, so these are stack policies: each bucket is checked together
 * with the companion resources that name it: their `bucket` input is the bucket's name (or ARN),
 * its auto-name, or unknown with a dependency on it (`links.ts`); never a guessed logical name.
 *
 * Audit buckets are those tagged `ml-platform:purpose = audit`; they also need versioning and
 * object lock with a default retention.
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { linkedTargets } from "./links";
import { asArray, byType, isRecord, perResource, statements, tagsOf, type Props } from "./util";
import { PURPOSE, TAG } from "../../workloads/shared/conventions";

export const BUCKET_TYPES = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
export const AUDIT_TAG = { key: TAG.purpose, value: PURPOSE.audit };

const T = {
  publicAccessBlock: ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"],
  accountPublicAccessBlock: ["aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"],
  encryption: [
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
  ],
  policy: ["aws:s3/bucketPolicy:BucketPolicy"],
  versioning: ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"],
  objectLock: [
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
    "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2",
  ],
};

const BUCKET_NAME = { name: "bucket", prefix: "bucketPrefix" };

const SSE_ALGORITHMS = ["AES256", "aws:kms", "aws:kms:dsse"];

/** Resources of `types` that configure `bucket`: their `bucket` input names it (`links.ts`). */
export function companions(resources: PolicyResource[], bucket: PolicyResource, types: string[]): PolicyResource[] {
  return byType(resources, ...types).filter((c) => linkedTargets(c, "bucket", [bucket], BUCKET_NAME).length > 0);
}

const isAudit = (b: PolicyResource) => tagsOf(b.props as Props)[AUDIT_TAG.key] === AUDIT_TAG.value;

function fullBlock(p: Props): boolean {
  return ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].every(
    (k) => p[k] === true,
  );
}

function sseRuleOk(rule: unknown): boolean {
  const def = isRecord(rule) ? rule.applyServerSideEncryptionByDefault : undefined;
  return isRecord(def) && SSE_ALGORITHMS.includes(String(def.sseAlgorithm));
}

/** A Deny of any request made without TLS (`aws:SecureTransport` false). */
function deniesInsecureTransport(doc: unknown): boolean {
  return (statements(doc) ?? []).some((s) => {
    if (s.Effect !== "Deny" || !isRecord(s.Condition)) return false;
    const bool = s.Condition.Bool ?? s.Condition.BoolIfExists;
    return isRecord(bool) && asArray(bool["aws:SecureTransport"]).some((v) => v === false || v === "false");
  });
}

function eachBucket(
  run: (bucket: PolicyResource, report: (msg: string) => void, all: PolicyResource[]) => void,
): StackValidationPolicy["validateStack"] {
  return (args, report) => {
    for (const b of byType(args.resources, ...BUCKET_TYPES))
      perResource(report, b.urn, () => run(b, (msg) => report(msg, b.urn), args.resources));
  };
}

export const s3Policies: StackValidationPolicy[] = [
  {
    name: "s3-public-access-block",
    description:
      "Every S3 bucket has a public access block with all four settings true (or the account-wide block in the same stack).",
    validateStack: eachBucket((b, report, all) => {
      if (byType(all, ...T.accountPublicAccessBlock).some((a) => fullBlock(a.props as Props))) return;
      const blocks = companions(all, b, T.publicAccessBlock);
      if (blocks.length === 0) report("no aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock for this bucket");
      else if (!blocks.some((p) => fullBlock(p.props as Props))) {
        report(
          "public access block must set blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets to true",
        );
      }
    }),
  },
  {
    name: "s3-server-side-encryption",
    description: "Every S3 bucket has default server-side encryption (SSE-S3 or SSE-KMS).",
    validateStack: eachBucket((b, report, all) => {
      const inline = (b.props as Props).serverSideEncryptionConfiguration;
      if (isRecord(inline) && sseRuleOk(inline.rule)) return;
      const configs = companions(all, b, T.encryption);
      if (configs.some((c) => asArray((c.props as Props).rules).some(sseRuleOk))) return;
      report("no server-side encryption configuration (AES256 or aws:kms) for this bucket");
    }),
  },
  {
    name: "s3-tls-only",
    description: "Every S3 bucket's policy denies requests that do not use TLS (aws:SecureTransport = false).",
    validateStack: eachBucket((b, report, all) => {
      if (deniesInsecureTransport((b.props as Props).policy)) return;
      if (companions(all, b, T.policy).some((p) => deniesInsecureTransport((p.props as Props).policy))) return;
      report("no bucket policy statement denies requests with aws:SecureTransport = false");
    }),
  },
  {
    name: "s3-audit-versioning",
    description: `Audit buckets (tag ${AUDIT_TAG.key} = ${AUDIT_TAG.value}) have versioning enabled.`,
    validateStack: eachBucket((b, report, all) => {
      if (!isAudit(b)) return;
      const inline = (b.props as Props).versioning;
      if (isRecord(inline) && inline.enabled === true) return;
      const enabled = companions(all, b, T.versioning).some((v) => {
        const cfg = (v.props as Props).versioningConfiguration;
        return isRecord(cfg) && cfg.status === "Enabled";
      });
      if (!enabled) report("audit bucket has no versioning configuration with status Enabled");
    }),
  },
  {
    name: "s3-audit-object-lock",
    description: `Audit buckets (tag ${AUDIT_TAG.key} = ${AUDIT_TAG.value}) are created with object lock and have a default retention.`,
    validateStack: eachBucket((b, report, all) => {
      if (!isAudit(b)) return;
      const props = b.props as Props;
      const inline = isRecord(props.objectLockConfiguration) ? props.objectLockConfiguration : undefined;
      if (props.objectLockEnabled !== true && inline?.objectLockEnabled !== "Enabled") {
        report("audit bucket must be created with objectLockEnabled: true");
      }
      const hasRetention = (rule: unknown) => isRecord(rule) && isRecord(rule.defaultRetention);
      const retained =
        hasRetention(inline?.rule) ||
        companions(all, b, T.objectLock).some((c) => hasRetention((c.props as Props).rule));
      if (!retained) report("audit bucket has no object lock configuration with a default retention");
    }),
  },
];
