/**
 * The audit bucket's and key's policy documents, as pure functions of plain values so tests can
 * read them directly. Each member account's prefix admits that account's own trail (by name,
 * `aws:SourceArn`) and its own Config (`aws:SourceAccount`, the condition AWS documents for Config),
 * and nothing else; member-account principals are denied.
 *
 * Key policy, statement by statement against AWS's documentation:
 * - CloudTrail: `kms:GenerateDataKey*` under the trail's encryption context and source ARN;
 *   `kms:DescribeKey` in a statement of its own (DescribeKey carries no encryption context, so a
 *   shared statement with an encryption-context condition never matches and CreateTrail fails with
 *   InsufficientEncryptionPolicyException); `kms:Decrypt`, which CloudTrail needs to create or
 *   update a trail whose bucket uses S3 Bucket Keys (this bucket does).
 * - Config: `kms:Decrypt` and `kms:GenerateDataKey` for the service principal with
 *   `aws:SourceAccount` (Config falls back to its service principal when, as here, its role sits in
 *   another account than the key).
 */
import type * as aws from "@pulumi/aws";
import { denyInsecureTransport } from "../../../shared/bucket-statements";

export interface AuditPolicyInput {
  bucketArn: string;
  keyArn?: string;
  /** The payer/production account that owns bucket and key. */
  ownerAccountId: string;
  /** Accounts whose CloudTrail and Config may deliver here. */
  memberAccountIds: string[];
  trailPrefix: string;
  configPrefix: string;
  /** The trail name every member account uses; no other trail may deliver. */
  trailName: string;
}

const roots = (ids: string[]) => ids.map((id) => `arn:aws:iam::${id}:root`);

/** The one trail of a member account that may deliver, in any region (a multi-region trail's home). */
export const trailArnPattern = (accountId: string, trailName: string) =>
  `arn:aws:cloudtrail:*:${accountId}:trail/${trailName}`;

/** TLS only, no deletion by anyone, nothing at all for member-account principals. */
function protect(bucketArn: string, accounts: string[]): aws.iam.PolicyStatement[] {
  const statements: aws.iam.PolicyStatement[] = [
    denyInsecureTransport(bucketArn),
    {
      Sid: "DenyDeletion",
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:DeleteBucket"],
      Resource: [bucketArn, `${bucketArn}/*`],
    },
  ];
  if (accounts.length > 0)
    statements.push({
      Sid: "DenyMemberAccountPrincipals",
      Effect: "Deny",
      Principal: { AWS: roots(accounts) },
      Action: "s3:*",
      Resource: [bucketArn, `${bucketArn}/*`],
    });
  return statements;
}

type Condition = Record<string, Record<string, string | string[]>>;

const PRINCIPALS = { CloudTrail: "cloudtrail.amazonaws.com", Config: "config.amazonaws.com" };

/** How one AWS service delivers to its bucket; AWS documents the same two steps for CloudTrail and Config. */
interface Delivery {
  /** Names the service's principal and starts its statements' Sids. */
  service: keyof typeof PRINCIPALS;
  /** What the service reads on the bucket before it delivers, and on which condition. */
  check: { Action: string | string[]; Condition: Condition };
  /** Where account `a`'s deliveries go, below the bucket. */
  key: (a: string) => string;
  /** What else account `a`'s deliveries must show, besides owner-full-control and `a` as source. */
  writeCondition?: (a: string) => Condition;
}

/** A delivery bucket's policy: protected, then the service's bucket check and each member account's writes. */
function deliveryPolicy(bucketArn: string, accounts: string[], d: Delivery): aws.iam.PolicyDocument {
  const statements = protect(bucketArn, accounts);
  if (accounts.length === 0) return { Version: "2012-10-17", Statement: statements };
  const Principal = { Service: PRINCIPALS[d.service] };
  statements.push({
    Sid: `${d.service}ChecksBucketAcl`,
    Effect: "Allow",
    Principal,
    Action: d.check.Action,
    Resource: bucketArn,
    Condition: d.check.Condition,
  });
  // One statement per account: a list of prefixes and a list of accounts in one statement would
  // let any listed account's deliveries land under any other account's prefix.
  for (const a of accounts) {
    statements.push({
      Sid: `${d.service}WritesFor${a}`,
      Effect: "Allow",
      Principal,
      Action: "s3:PutObject",
      Resource: `${bucketArn}/${d.key(a)}`,
      Condition: {
        StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceAccount": a },
        ...d.writeCondition?.(a),
      },
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}

/** The trail bucket: each account's own trail, by name, under that account's prefix only. */
export function auditBucketPolicy(p: AuditPolicyInput): aws.iam.PolicyDocument {
  const trail = (a: string) => trailArnPattern(a, p.trailName);
  return deliveryPolicy(p.bucketArn, p.memberAccountIds, {
    service: "CloudTrail",
    check: { Action: "s3:GetBucketAcl", Condition: { ArnLike: { "aws:SourceArn": p.memberAccountIds.map(trail) } } },
    key: (a) => `${p.trailPrefix}/AWSLogs/${a}/*`,
    writeCondition: (a) => ({ ArnLike: { "aws:SourceArn": trail(a) } }),
  });
}

/** The Config bucket: each account's Config (`aws:SourceAccount`, as AWS documents) under its own prefix only. */
export function configBucketPolicy(p: AuditPolicyInput): aws.iam.PolicyDocument {
  return deliveryPolicy(p.bucketArn, p.memberAccountIds, {
    service: "Config",
    check: {
      Action: ["s3:GetBucketAcl", "s3:ListBucket"],
      Condition: { StringEquals: { "aws:SourceAccount": p.memberAccountIds } },
    },
    key: (a) => `${p.configPrefix}/AWSLogs/${a}/Config/*`,
  });
}

export function auditKeyPolicy(p: Omit<AuditPolicyInput, "keyArn" | "bucketArn">): aws.iam.PolicyDocument {
  const accounts = p.memberAccountIds;
  const statements: aws.iam.PolicyStatement[] = [
    {
      // Without this the key becomes unmanageable; it admits only the owner account's IAM policies.
      Sid: "OwnerAccountAdministers",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${p.ownerAccountId}:root` },
      Action: "kms:*",
      Resource: "*",
    },
  ];
  if (accounts.length > 0) {
    const trails = accounts.map((a) => trailArnPattern(a, p.trailName));
    statements.push(
      {
        Sid: "CloudTrailEncryptsForListedTrails",
        Effect: "Allow",
        Principal: { Service: "cloudtrail.amazonaws.com" },
        Action: "kms:GenerateDataKey*",
        Resource: "*",
        Condition: {
          StringLike: {
            "kms:EncryptionContext:aws:cloudtrail:arn": accounts.map((a) => `arn:aws:cloudtrail:*:${a}:trail/*`),
          },
          ArnLike: { "aws:SourceArn": trails },
        },
      },
      {
        Sid: "CloudTrailDescribesKey",
        Effect: "Allow",
        Principal: { Service: "cloudtrail.amazonaws.com" },
        Action: "kms:DescribeKey",
        Resource: "*",
        Condition: { ArnLike: { "aws:SourceArn": trails } },
      },
      {
        Sid: "CloudTrailDecryptsForBucketKeys",
        Effect: "Allow",
        Principal: { Service: "cloudtrail.amazonaws.com" },
        Action: "kms:Decrypt",
        Resource: "*",
        Condition: { ArnLike: { "aws:SourceArn": trails } },
      },
      {
        Sid: "ConfigEncryptsForListedAccounts",
        Effect: "Allow",
        Principal: { Service: "config.amazonaws.com" },
        Action: ["kms:GenerateDataKey", "kms:Decrypt"],
        Resource: "*",
        Condition: { StringEquals: { "aws:SourceAccount": accounts } },
      },
      {
        Sid: "MemberAccountsNeverDecryptOrDestroy",
        Effect: "Deny",
        Principal: { AWS: roots(accounts) },
        Action: [
          "kms:Decrypt",
          "kms:ReEncrypt*",
          "kms:CreateGrant",
          "kms:ScheduleKeyDeletion",
          "kms:DisableKey",
          "kms:PutKeyPolicy",
        ],
        Resource: "*",
      },
    );
  }
  return { Version: "2012-10-17", Statement: statements };
}
