/** The SQS operations the worker needs, each one bounded to what SQS accepts per call. */
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
  type SQSClient,
} from "@aws-sdk/client-sqs";

export class PhotoQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly deadLetterQueueUrl: string,
  ) {}

  async receive(max: number, waitSeconds: number, visibilitySeconds: number, signal?: AbortSignal): Promise<Message[]> {
    const res = await this.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.queueUrl,
        MaxNumberOfMessages: Math.min(10, Math.max(1, max)),
        WaitTimeSeconds: waitSeconds,
        VisibilityTimeout: visibilitySeconds,
        MessageSystemAttributeNames: ["ApproximateReceiveCount", "SentTimestamp"],
      }),
      { abortSignal: signal },
    );
    return res.Messages ?? [];
  }

  async delete(message: Message): Promise<void> {
    await this.sqs.send(new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: message.ReceiptHandle }));
  }

  /** Makes the message visible again now, for this or another worker to retry. */
  async release(message: Message): Promise<void> {
    await this.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: this.queueUrl, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 }));
  }

  /** Extends the visibility of every message; returns the ids SQS refused (gone or expired). */
  async extend(messages: Message[], visibilitySeconds: number): Promise<string[]> {
    const refused: string[] = [];
    for (let i = 0; i < messages.length; i += 10) {
      const chunk = messages.slice(i, i + 10);
      const res = await this.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: chunk.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: visibilitySeconds })),
        }),
      );
      for (const f of res.Failed ?? []) refused.push(chunk[Number(f.Id)].MessageId ?? "?");
    }
    return refused;
  }

  /** Parks a message that can never succeed on the dead-letter queue, with the reason, then deletes it. */
  async deadLetter(message: Message, reason: string): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.deadLetterQueueUrl,
        MessageBody: message.Body ?? "",
        MessageAttributes: {
          reason: { DataType: "String", StringValue: reason.slice(0, 1000) },
          sourceMessageId: { DataType: "String", StringValue: message.MessageId ?? "unknown" },
        },
      }),
    );
    await this.delete(message);
  }
}
