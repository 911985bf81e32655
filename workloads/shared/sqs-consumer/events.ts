/** What the consumer reports as it works: metrics, logs and tests listen to these. */
import { EventEmitter } from "node:events";
import type { Message } from "@aws-sdk/client-sqs";

export interface ConsumerEvents {
  /** One ReceiveMessage call answered. */
  received: [{ messages: number }];
  receive_error: [Error];
  /** Every unit done: the message was deleted. */
  message_processed: [Message, { units: number; seconds: number }];
  /** Handed back to the queue, hidden for `visibilitySeconds` (0 when released by stop()). */
  message_released: [Message, { visibilitySeconds: number; errors: string[] }];
  /** Parked on the dead-letter queue with `reason`, then deleted. */
  message_dead_lettered: [Message, { reason: string }];
  /** A queue operation on a held message failed (it comes back when its visibility expires). */
  message_error: [Message, Error];
  unit_failed: [Message, Error];
  breaker_opened: [{ dependency: string; error: string }];
  breaker_closed: [{ dependency: string; downSeconds: number }];
  /** unhealthy() returned a reason: no more receives. */
  stopped_receiving: [{ reason: string }];
  visibility_error: [{ refused: string[]; error?: string }];
  draining: [{ messages: number; timeoutSeconds: number }];
  stopped: [{ drained: boolean; released: number }];
}

export class ConsumerEmitter extends EventEmitter<ConsumerEvents> {}
