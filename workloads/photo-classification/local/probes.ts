/** Observations of a photo environment for tests and the benchmark. */
import { spawnNode, type NodeProcess } from "../../shared/node-process";
import { readFile } from "node:fs/promises";
import * as path from "node:path";
import { GetQueueAttributesCommand, ReceiveMessageCommand, type Message } from "@aws-sdk/client-sqs";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { PhotoRecord } from "../contract";
import type { PhotoEnvironment } from "./environment";

export async function queueDepth(
  env: PhotoEnvironment,
  url = env.queueUrl,
): Promise<{ visible: number; inFlight: number }> {
  const res = await env.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return {
    visible: Number(res.Attributes?.ApproximateNumberOfMessages),
    inFlight: Number(res.Attributes?.ApproximateNumberOfMessagesNotVisible),
  };
}

export async function deadLetters(env: PhotoEnvironment): Promise<Message[]> {
  const res = await env.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: env.deadLetterQueueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
      VisibilityTimeout: 0,
      MessageAttributeNames: ["All"],
    }),
  );
  return res.Messages ?? [];
}

export async function allRecords(env: PhotoEnvironment): Promise<PhotoRecord[]> {
  const doc = DynamoDBDocumentClient.from(env.dynamodb);
  const items: PhotoRecord[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({ TableName: env.tableName, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    items.push(...((page.Items ?? []) as PhotoRecord[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Sum of every series of a counter on a worker's /metrics endpoint; 0 while it is not up. */
export async function scrapeCounter(metricsPort: number, name: string): Promise<number> {
  let text: string;
  try {
    text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  } catch {
    return 0;
  }
  let sum = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, "gm"))) sum += Number(m[1]);
  return sum;
}

/** Peak resident set size of a live process, from the kernel's high-water mark. */
export async function peakRssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
  if (!kb) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(kb) * 1024;
}

/** The worker as its own process, exactly as the container runs it (entry point, env, signals). */
export function spawnWorker(env: Record<string, string>): NodeProcess {
  // node itself with tsx's hooks, not the tsx CLI: the CLI is a parent process that would take
  // SIGKILL in the worker's place and leave the worker running.
  return spawnNode(["--import", "tsx", path.join(__dirname, "..", "worker", "main.ts")], env);
}
