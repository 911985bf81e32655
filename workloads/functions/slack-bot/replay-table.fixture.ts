/** Tests only: the replay-record table on embedded AWS, keyed and expiring as the ops stack builds it. */
import { CreateTableCommand, UpdateTimeToLiveCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { REPLAY_TABLE_KEY, REPLAY_TABLE_TTL } from "./config";

export async function createReplayTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: REPLAY_TABLE_KEY, AttributeType: "S" }],
      KeySchema: [{ AttributeName: REPLAY_TABLE_KEY, KeyType: "HASH" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: REPLAY_TABLE_TTL, Enabled: true },
    }),
  );
}
