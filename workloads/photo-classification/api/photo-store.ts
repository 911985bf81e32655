/**
 * Photo records in DynamoDB, keyed by photo id. A result is written once: a second report
 * for the same photo (a redelivered message, a retried request) leaves the first in place.
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { PhotoRecord, ResultReport } from "../contract";

export class PhotoStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async createPending(photoId: string, contentType: string, createdAt: string): Promise<PhotoRecord> {
    const record: PhotoRecord = { photoId, status: "pending", contentType, createdAt };
    await this.doc.send(
      new PutCommand({ TableName: this.table, Item: record, ConditionExpression: "attribute_not_exists(photoId)" }),
    );
    return record;
  }

  async get(photoId: string): Promise<PhotoRecord | undefined> {
    const res = await this.doc.send(new GetCommand({ TableName: this.table, Key: { photoId }, ConsistentRead: true }));
    return res.Item as PhotoRecord | undefined;
  }

  /** Returns whether this call stored the result, and the record as it now stands. */
  async storeResult(
    photoId: string,
    report: ResultReport,
    storedAt: string,
  ): Promise<{ stored: boolean; record: PhotoRecord }> {
    const fields: Record<string, unknown> = { ...report, storedAt };
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets = Object.entries(fields)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => {
        names[`#${k}`] = k;
        values[`:${k}`] = v;
        return `#${k} = :${k}`;
      });
    // Reports may come for uploads the API never saw (a backfill): they create the record.
    names["#createdAt"] = "createdAt";
    values[":createdAt"] = storedAt;
    sets.push("#createdAt = if_not_exists(#createdAt, :createdAt)");
    try {
      const res = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { photoId },
          UpdateExpression: `SET ${sets.join(", ")}`,
          ConditionExpression: "attribute_not_exists(classifiedAt)",
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: "ALL_NEW",
        }),
      );
      return { stored: true, record: res.Attributes as PhotoRecord };
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      return { stored: false, record: (await this.get(photoId)) as PhotoRecord };
    }
  }
}
