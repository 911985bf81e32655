/** The SQS operations the consumer needs, each one bounded to what SQS accepts per call. */
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
  type SQSClient,
} from "@aws-sdk/client-sqs";

interface PendingDelete {
  message: Message;
  resolve(): void;
  reject(err: Error): void;
}

export class Queue {
  private deletes: PendingDelete[] = [];
  private deleteTimer: NodeJS.Timeout | undefined;

  /** Deletes are sent in batches of up to 10, gathered for at most `deleteLingerMs`. */
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly deadLetterQueueUrl: string,
    private readonly deleteLingerMs = 10,
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

  /** Resolves once SQS has deleted the message. */
  delete(message: Message): Promise<void> {
    return new Promise((resolve, reject) => {
      this.deletes.push({ message, resolve, reject });
      if (this.deletes.length >= 10) this.flushDeletes();
      else this.deleteTimer ??= setTimeout(() => this.flushDeletes(), this.deleteLingerMs);
    });
  }

  private flushDeletes(): void {
    clearTimeout(this.deleteTimer);
    this.deleteTimer = undefined;
    const batch = this.deletes.splice(0, 10);
    if (this.deletes.length > 0) this.deleteTimer = setTimeout(() => this.flushDeletes(), 0);
    if (batch.length === 0) return;
    this.sqs
      .send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: batch.map((d, i) => ({ Id: String(i), ReceiptHandle: d.message.ReceiptHandle })),
        }),
      )
      .then(
        (res) => {
          const failed = new Map((res.Failed ?? []).map((f) => [Number(f.Id), `${f.Code}: ${f.Message ?? ""}`]));
          batch.forEach((d, i) =>
            failed.has(i)
              ? d.reject(new Error(`delete of ${d.message.MessageId} refused: ${failed.get(i)}`))
              : d.resolve(),
          );
        },
        (err: Error) => batch.forEach((d) => d.reject(err)),
      );
  }

  /** Hands the message back: visible again after `visibilitySeconds` (0: now), for this or another consumer. */
  async release(message: Message, visibilitySeconds = 0): Promise<void> {
    await this.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.queueUrl,
        ReceiptHandle: message.ReceiptHandle,
        VisibilityTimeout: visibilitySeconds,
      }),
    );
  }

  /** maxReceiveCount of the queue's redrive policy; Infinity when it has none. */
  async maxReceiveCount(): Promise<number> {
    const res = await this.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: this.queueUrl, AttributeNames: ["RedrivePolicy"] }),
    );
    const policy = res.Attributes?.RedrivePolicy;
    if (!policy) return Infinity;
    const count = Number((JSON.parse(policy) as { maxReceiveCount?: unknown }).maxReceiveCount);
    return Number.isFinite(count) && count > 0 ? count : Infinity;
  }

  /** Extends the visibility of every message; returns the ids SQS refused (gone or expired). */
  async extend(messages: Message[], visibilitySeconds: number): Promise<string[]> {
    const refused: string[] = [];
    for (let i = 0; i < messages.length; i += 10) {
      const chunk = messages.slice(i, i + 10);
      const res = await this.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: chunk.map((m, j) => ({
            Id: String(j),
            ReceiptHandle: m.ReceiptHandle,
            VisibilityTimeout: visibilitySeconds,
          })),
        }),
      );
      for (const f of res.Failed ?? []) refused.push(chunk[Number(f.Id)].MessageId ?? "?");
    }
    return refused;
  }

  /** Parks a message that can never succeed on the dead-letter queue, with the reason, then deletes it. */
  async deadLetter(message: Message, reason: string, receiveCount: number): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.deadLetterQueueUrl,
        MessageBody: message.Body ?? "",
        MessageAttributes: {
          reason: { DataType: "String", StringValue: (reason || "unknown").slice(0, 1000) },
          sourceMessageId: { DataType: "String", StringValue: message.MessageId ?? "unknown" },
          receiveCount: { DataType: "Number", StringValue: String(receiveCount) },
        },
      }),
    );
    await this.sqs.send(new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: message.ReceiptHandle }));
  }
}
