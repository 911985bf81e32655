/**
 * The generic SQS consumer's contract: what a handler does, the options it runs with, and the
 * two errors a handler throws to say what kind of failure it met. Everything else a handler
 * throws is transient: the message is released and comes back after a backoff.
 */
import type { Message, SQSClient } from "@aws-sdk/client-sqs";

/** The message can never succeed (unreadable, refused for good): parked on the DLQ at once with this reason. */
export class PermanentFailure extends Error {}

/**
 * A dependency the handler needs is down (after the handler's own short retries). With a probe
 * configured for it, the consumer opens that dependency's circuit breaker, stops receiving, and
 * holds the unit until a probe succeeds, so an outage costs a message no receives at all.
 */
export class DependencyUnavailable extends Error {
  constructor(
    readonly dependency: string,
    message: string,
  ) {
    super(message);
  }
}

export interface UnitContext {
  message: Message;
  /** ApproximateReceiveCount of the message: 1 on its first delivery. */
  receiveCount: number;
  /** Aborted when the stop deadline passes: give up and let the message be released. */
  signal: AbortSignal;
}

/**
 * The business logic. A message carries units of work (a photo per S3 record): the consumer
 * bounds units in flight across all messages, so one large message cannot take all the memory.
 */
export interface MessageHandler<U> {
  /** The units of `message`; [] deletes it at once. Throws PermanentFailure for a message that can never succeed. */
  units(message: Message): U[];
  /** Does one unit. Throws PermanentFailure, DependencyUnavailable, or anything else (transient). */
  handle(unit: U, context: UnitContext): Promise<void>;
}

export interface DependencyProbe {
  /** Resolves while the dependency answers; rejects while it is down. */
  probe(signal: AbortSignal): Promise<void>;
  /** Time between probes while the breaker is open, ms. */
  intervalMs: number;
}

export interface ConsumerOptions<U> {
  sqs: SQSClient;
  queueUrl: string;
  /** Where permanent failures are parked, with a `reason` message attribute. */
  deadLetterQueueUrl: string;
  handler: MessageHandler<U>;
  /** Units (not messages) being handled at once, across all messages. */
  maxUnitsInFlight: number;
  /** ReceiveMessage calls under way at once, 1-10 (each takes up to 10 messages). */
  receiveConcurrency: number;
  /** Long-poll wait per receive, s (0-20). */
  waitTimeSeconds: number;
  /** Visibility asked for on receive and renewed every third of it while a message is held, s. */
  visibilityTimeoutSeconds: number;
  /** A released message stays hidden baseSeconds × 2^(receives − 1), at most maxSeconds. */
  backoff: { baseSeconds: number; maxSeconds: number };
  /** The queue's redrive maxReceiveCount; read from its RedrivePolicy at start when not given. */
  maxReceiveCount?: number;
  /** Circuit breakers by dependency name (the name a handler's DependencyUnavailable carries). */
  dependencies?: Record<string, DependencyProbe>;
  /** Why the consumer can no longer handle anything (polled before each receive); it then stops receiving. */
  unhealthy?: () => string | undefined;
  /** How long stop() lets held messages finish before releasing them, s. */
  stopTimeoutSeconds: number;
  /** Pause after a failed receive, ms (default 1000). */
  receiveErrorPauseMs?: number;
}
