/**
 * The consumer's stop on the real embedded AWS (moto server): a long poll under way when stop()
 * is called is left to finish, so no message goes to a receive nobody reads.
 */
import { expect } from "chai";
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { startEmbeddedAws, type EmbeddedAws } from "../../../scripts/embedded-aws";
import { waitFor } from "../poll";
import { Consumer } from "./consumer";

describe("SQS consumer stop (embedded AWS)", () => {
  let aws: EmbeddedAws;
  before(async () => {
    aws = await startEmbeddedAws();
  });
  after(async () => aws?.stop());

  it("a message sent while a receive is under way at stop() is handled or left visible, never held by a dropped receive", async () => {
    const sqs = new SQSClient(aws.clientConfig());
    const create = async (name: string) =>
      (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-${Date.now()}` }))).QueueUrl as string;
    const queueUrl = await create("stop");
    const deadLetterQueueUrl = await create("stop-dlq");
    const handled: string[] = [];
    const consumer = new Consumer<string>({
      sqs,
      queueUrl,
      deadLetterQueueUrl,
      handler: {
        units: (message) => [message.Body ?? ""],
        handle: async (body) => void handled.push(body),
      },
      maxUnitsInFlight: 4,
      receiveConcurrency: 1,
      waitTimeSeconds: 3,
      // Long enough that a message taken by a receive nobody reads stays hidden past the test.
      visibilityTimeoutSeconds: 120,
      backoff: { baseSeconds: 1, maxSeconds: 1 },
      maxReceiveCount: 5,
      stopTimeoutSeconds: 10,
    });
    let receives = 0;
    consumer.on("received", () => receives++);
    await consumer.start();
    // The first (empty) long poll has ended and the next one is waiting on the queue.
    await waitFor("a receive to complete", async () => receives > 0, 10_000, 20);
    await new Promise((r) => setTimeout(r, 200));
    const stopped = consumer.stop();
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "sent-during-stop" }));
    const result = await stopped;
    const { Attributes: depth } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
      }),
    );
    expect(
      Number(depth?.ApproximateNumberOfMessagesNotVisible),
      "messages hidden by a receive whose answer nobody read",
    ).to.equal(0);
    expect(
      handled.length + Number(depth?.ApproximateNumberOfMessages),
      "the message handled, or there for the next consumer",
    ).to.equal(1);
    expect(result.drained).to.equal(true);
  });
});
