/** The API's own state: the verdicts table and the worker→API token (generated once). */
import { randomBytes } from "node:crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface ApiStore {
  table: aws.dynamodb.Table;
  tokenSecret: aws.secretsmanager.Secret;
}

export function apiStore(name: string, opts: pulumi.CustomResourceOptions): ApiStore {
  const table = new aws.dynamodb.Table(
    `${name}-photos`,
    {
      billingMode: "PAY_PER_REQUEST",
      hashKey: "photoId",
      attributes: [{ name: "photoId", type: "S" }],
      serverSideEncryption: { enabled: true },
      pointInTimeRecovery: { enabled: true },
      deletionProtectionEnabled: true,
    },
    opts,
  );
  // The worker→API token. Generated once; rotate by writing a new version out of band.
  const tokenSecret = new aws.secretsmanager.Secret(
    `${name}-worker-token`,
    { description: "Bearer token the GPU workers use on the internal result endpoint" },
    opts,
  );
  new aws.secretsmanager.SecretVersion(
    `${name}-worker-token`,
    { secretId: tokenSecret.id, secretString: pulumi.secret(randomBytes(32).toString("base64url")) },
    { ...opts, ignoreChanges: ["secretString"] },
  );
  return { table, tokenSecret };
}
