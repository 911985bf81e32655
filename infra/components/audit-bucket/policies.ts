/**
 * The audit bucket's and key's policy documents, as pure functions of plain values so tests can
 * read them directly: services write for the listed accounts only; member accounts are denied.
 */
import type * as aws from "@pulumi/aws";

export interface AuditPolicyInput {
  bucketArn: string;
  keyArn?: string;
  /** The payer/production account that owns bucket and key. */
  ownerAccountId: string;
  /** Accounts whose CloudTrail and Config may deliver here. */
  memberAccountIds: string[];
  trailPrefix: string;
  configPrefix: string;
}

const roots = (ids: string[]) => ids.map((id) => `arn:aws:iam::${id}:root`);

export function auditBucketPolicy(p: AuditPolicyInput): aws.iam.PolicyDocument {
  const accounts = p.memberAccountIds;
  const statements: aws.iam.PolicyStatement[] = [
    {
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: [p.bucketArn, `${p.bucketArn}/*`],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    },
    {
      Sid: "DenyDeletion",
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:DeleteBucket"],
      Resource: [p.bucketArn, `${p.bucketArn}/*`],
    },
  ];
  if (accounts.length === 0) return { Version: "2012-10-17", Statement: statements };
  statements.push(
    {
      Sid: "DenyMemberAccountPrincipals",
      Effect: "Deny",
      Principal: { AWS: roots(accounts) },
      Action: "s3:*",
      Resource: [p.bucketArn, `${p.bucketArn}/*`],
    },
    {
      Sid: "ServicesCheckBucketAcl",
      Effect: "Allow",
      Principal: { Service: ["cloudtrail.amazonaws.com", "config.amazonaws.com"] },
      Action: ["s3:GetBucketAcl", "s3:ListBucket"],
      Resource: p.bucketArn,
      Condition: { StringEquals: { "aws:SourceAccount": accounts } },
    },
    {
      Sid: "CloudTrailWritesForListedAccounts",
      Effect: "Allow",
      Principal: { Service: "cloudtrail.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: accounts.map((a) => `${p.bucketArn}/${p.trailPrefix}/AWSLogs/${a}/*`),
      Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceAccount": accounts } },
    },
    {
      Sid: "ConfigWritesForListedAccounts",
      Effect: "Allow",
      Principal: { Service: "config.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: accounts.map((a) => `${p.bucketArn}/${p.configPrefix}/AWSLogs/${a}/Config/*`),
      Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceAccount": accounts } },
    },
  );
  return { Version: "2012-10-17", Statement: statements };
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
    statements.push(
      {
        Sid: "CloudTrailEncryptsForListedAccounts",
        Effect: "Allow",
        Principal: { Service: "cloudtrail.amazonaws.com" },
        Action: ["kms:GenerateDataKey*", "kms:DescribeKey"],
        Resource: "*",
        Condition: {
          StringEquals: { "aws:SourceAccount": accounts },
          StringLike: {
            "kms:EncryptionContext:aws:cloudtrail:arn": accounts.map((a) => `arn:aws:cloudtrail:*:${a}:trail/*`),
          },
        },
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
