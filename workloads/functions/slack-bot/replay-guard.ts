/**
 * One use per signed request. The signature check bounds a captured request to the five-minute
 * window but, on its own, lets it be sent again any number of times inside it. Each accepted
 * request is recorded here with a conditional put keyed by its signature (the HMAC covers the
 * timestamp and the whole body, so two genuine requests never share one); a second put of the same
 * key fails and the request is refused. The record expires through the table's TTL once the
 * timestamp can no longer pass the window check, so the table stays small.
 */
import { ConditionalCheckFailedException, PutItemCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { MAX_SKEW_SECONDS } from "./signature";
import { REPLAY_TABLE_KEY, REPLAY_TABLE_TTL } from "./config";

/**
 * Seconds a record outlives the window: DynamoDB's TTL deletes late, never early, so this only has
 * to cover the clock skew between this function and the timestamp check.
 */
const TTL_MARGIN_SECONDS = 60;

/** Claims a verified request: true the first time, false for a replay of it. */
export type ReplayGuard = (signature: string, timestamp: string) => Promise<boolean>;

export function dynamoReplayGuard(client: DynamoDBClient, tableName: string): ReplayGuard {
  return async (signature, timestamp) => {
    const expiresAt = Number(timestamp) + MAX_SKEW_SECONDS + TTL_MARGIN_SECONDS;
    try {
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: { [REPLAY_TABLE_KEY]: { S: signature }, [REPLAY_TABLE_TTL]: { N: String(expiresAt) } },
          ConditionExpression: "attribute_not_exists(#k)",
          ExpressionAttributeNames: { "#k": REPLAY_TABLE_KEY },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  };
}
