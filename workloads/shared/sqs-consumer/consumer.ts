/**
 * A generic SQS consumer: concurrent long-poll receives bounded by units (not messages) in
 * flight, visibility renewed while a message is held, a message deleted only once every unit in
 * it succeeded, released with a backoff that grows with its receive count when a unit failed for
 * a passing reason, and parked on the dead-letter queue with the reason when it can never succeed
 * or is on its last allowed receive — so no message reaches the redrive's maxReceiveCount
 * for a reason the consumer knew. Circuit breakers stop receiving while a dependency is known to
 * be down and resume by themselves; stop() lets receives under way finish and drains within a
 * deadline. The business logic is the handler.
 */
import { setMaxListeners } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import type { Message } from "@aws-sdk/client-sqs";
import { CircuitBreaker } from "./breaker";
import { ConsumerEmitter } from "./events";
import { Queue } from "./queue";
import { Slots } from "./slots";
import { DependencyUnavailable, PermanentFailure, type ConsumerOptions } from "./types";

export * from "./types";
export type { ConsumerEvents } from "./events";

/** Seconds a message released after its `receiveCount`-th receive stays hidden. */
export function backoffSeconds(receiveCount: number, backoff: { baseSeconds: number; maxSeconds: number }): number {
  const seconds = backoff.baseSeconds * 2 ** Math.max(0, receiveCount - 1);
  return Math.round(Math.min(backoff.maxSeconds, seconds, 43_200));
}

interface Held {
  message: Message;
  receivedAt: number;
  receiveCount: number;
  /** Units not finished yet; they count against maxUnitsInFlight for receiving. */
  pending: number;
  /** Set when stop() handed the message back: its late completion must not touch it. */
  released: boolean;
}

const keyOf = (message: Message): string => message.MessageId ?? message.ReceiptHandle ?? "";
const unique = (texts: string[]) => [...new Set(texts)].join("; ");

export class Consumer<U> extends ConsumerEmitter {
  private readonly queue: Queue;
  private readonly slots: Slots;
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly held = new Map<string, Held>();
  /** Units of held messages not yet finished, plus one per message a receive under way may bring. */
  private pendingUnits = 0;
  private reserved = 0;
  private readonly stopping = new AbortController();
  /** Aborts units (and their waits on breakers) once the stop deadline has passed. */
  private readonly abandon = new AbortController();
  /** Aborts receives under way once the stop deadline has passed (stop() does not, before: see there). */
  private readonly receiveCutoff = new AbortController();
  private roomWaiters: (() => void)[] = [];
  private heartbeat: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;
  private maxReceiveCount = Infinity;
  private receivingStopped = false;

  constructor(private readonly options: ConsumerOptions<U>) {
    super();
    this.queue = new Queue(options.sqs, options.queueUrl, options.deadLetterQueueUrl);
    this.slots = new Slots(options.maxUnitsInFlight);
    for (const [name, probe] of Object.entries(options.dependencies ?? {}))
      this.breakers.set(
        name,
        new CircuitBreaker(
          name,
          probe,
          (error) => this.emit("breaker_opened", { dependency: name, error }),
          (downSeconds) => this.emit("breaker_closed", { dependency: name, downSeconds }),
        ),
      );
    // Every unit in flight listens on these (downloads, requests, breaker waits).
    setMaxListeners(options.maxUnitsInFlight * 4 + 16, this.stopping.signal, this.abandon.signal);
  }

  get unitsInFlight(): number {
    return this.slots.inUse;
  }

  /** The most units ever handled at once. */
  get peakUnitsInFlight(): number {
    return this.slots.peak;
  }

  get messagesHeld(): number {
    return this.held.size;
  }

  /** Dependencies whose breaker is open. */
  openBreakers(): string[] {
    return [...this.breakers.values()].filter((b) => b.isOpen).map((b) => b.dependency);
  }

  async start(): Promise<void> {
    this.maxReceiveCount = this.options.maxReceiveCount ?? (await this.queue.maxReceiveCount());
    const period = Math.max(1, this.options.visibilityTimeoutSeconds / 3) * 1000;
    this.heartbeat = setInterval(() => void this.extendVisibility(), period);
    const loops = Array.from({ length: this.options.receiveConcurrency }, () => this.receiveLoop());
    this.loop = Promise.all(loops).then(() => undefined);
  }

  /**
   * Stops receiving (receives under way end with their long poll), lets held messages finish until
   * the deadline, stopTimeoutSeconds from the call, then releases the rest.
   */
  async stop(): Promise<{ drained: boolean; released: number }> {
    const timeoutSeconds = this.options.stopTimeoutSeconds;
    const deadline = Date.now() + timeoutSeconds * 1000;
    this.stopping.abort(new Error("consumer stopping"));
    this.wakeReceivers();
    // Receives under way are not aborted: SQS still hands messages to a long poll whose caller
    // hung up, and nobody could see those again until their visibility timeout passed, each with
    // a receive counted. They end within waitTimeSeconds; what they bring is held and drained
    // like the rest. Only the deadline cuts them short.
    const cutoff = setTimeout(() => this.receiveCutoff.abort(new Error("stop deadline passed")), timeoutSeconds * 1000);
    await this.loop;
    this.emit("draining", { messages: this.held.size, timeoutSeconds });
    while (this.held.size > 0 && Date.now() < deadline) await sleep(50);
    clearTimeout(cutoff);
    const left = [...this.held.values()];
    for (const item of left) item.released = true;
    this.abandon.abort(new Error("stop deadline passed"));
    for (const item of left) {
      try {
        if (item.receiveCount >= this.maxReceiveCount)
          await this.park(item, `stopped before finishing on its last allowed receive (${item.receiveCount})`);
        else {
          await this.queue.release(item.message, 0);
          this.emit("message_released", item.message, { visibilitySeconds: 0, errors: ["consumer stopped"] });
        }
      } catch (err) {
        this.emit("message_error", item.message, err as Error);
      }
    }
    clearInterval(this.heartbeat);
    for (const breaker of this.breakers.values()) breaker.dispose();
    const result = { drained: left.length === 0, released: left.length };
    this.emit("stopped", result);
    return result;
  }

  private wakeReceivers(): void {
    for (const wake of this.roomWaiters.splice(0)) wake();
  }

  /** One receive loop; several run at once so a slow receive does not starve the handler. */
  private async receiveLoop(): Promise<void> {
    const { options, queue } = this;
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      const why = options.unhealthy?.();
      if (why) {
        // Taking messages it cannot handle would only bounce them toward the DLQ.
        if (!this.receivingStopped) this.emit("stopped_receiving", { reason: why });
        this.receivingStopped = true;
        return;
      }
      const open = [...this.breakers.values()].find((b) => b.isOpen);
      if (open) {
        const closed = await open.whenClosed(signal).then(
          () => true,
          () => false,
        );
        if (!closed) break;
        continue;
      }
      const room = options.maxUnitsInFlight - this.pendingUnits - this.reserved;
      if (room <= 0) {
        await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
        continue;
      }
      const asked = Math.min(10, room);
      this.reserved += asked;
      let messages: Message[];
      try {
        // Not the stop signal: see stop().
        messages = await queue.receive(
          asked,
          options.waitTimeSeconds,
          options.visibilityTimeoutSeconds,
          this.receiveCutoff.signal,
        );
      } catch (err) {
        this.reserved -= asked;
        if (signal.aborted) break;
        this.emit("receive_error", err as Error);
        await sleep(options.receiveErrorPauseMs ?? 1000, undefined, { signal }).catch(() => undefined);
        continue;
      }
      this.reserved -= asked;
      this.emit("received", { messages: messages.length });
      for (const message of messages) void this.handleMessage(message);
    }
  }

  private async handleMessage(message: Message): Promise<void> {
    const item: Held = {
      message,
      receivedAt: Date.now(),
      receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 1),
      pending: 0,
      released: false,
    };
    this.held.set(keyOf(message), item);
    try {
      let units: U[];
      try {
        units = this.options.handler.units(message);
      } catch (err) {
        await this.settle(item, 0, [err as Error]);
        return;
      }
      // Counted before the first await, so the receive loops see them at once.
      item.pending = units.length;
      this.pendingUnits += units.length;
      const outcomes = await Promise.all(units.map((unit) => this.runUnit(unit, item)));
      await this.settle(
        item,
        units.length,
        outcomes.filter((e): e is Error => e !== undefined),
      );
    } catch (err) {
      this.emit("message_error", message, err as Error);
    } finally {
      this.pendingUnits -= item.pending;
      this.held.delete(keyOf(message));
      this.wakeReceivers();
    }
  }

  /** Runs one unit in a slot; waits out an open breaker and tries again. Resolves with its error, if any. */
  private async runUnit(unit: U, item: Held): Promise<Error | undefined> {
    const context = { message: item.message, receiveCount: item.receiveCount, signal: this.abandon.signal };
    try {
      for (;;) {
        try {
          await this.slots.with(() => this.options.handler.handle(unit, context));
          return undefined;
        } catch (err) {
          const breaker = err instanceof DependencyUnavailable ? this.breakers.get(err.dependency) : undefined;
          if (!breaker || this.abandon.signal.aborted) throw err;
          breaker.open((err as Error).message);
          await breaker.whenClosed(this.abandon.signal);
        }
      }
    } catch (err) {
      this.emit("unit_failed", item.message, err as Error);
      return err as Error;
    } finally {
      item.pending--;
      this.pendingUnits--;
      this.wakeReceivers();
    }
  }

  /** Deletes, parks or releases a message once all its units are done. */
  private async settle(item: Held, units: number, errors: Error[]): Promise<void> {
    if (item.released) return;
    const { message } = item;
    if (errors.length === 0) {
      await this.queue.delete(message);
      this.emit("message_processed", message, { units, seconds: (Date.now() - item.receivedAt) / 1000 });
      return;
    }
    const permanent = errors.filter((e) => e instanceof PermanentFailure);
    if (permanent.length > 0) return this.park(item, unique(permanent.map((e) => e.message)));
    const reasons = unique(errors.map((e) => e.message || e.name));
    // Released now, the redrive would move it on its next receive, without a reason.
    if (item.receiveCount >= this.maxReceiveCount)
      return this.park(item, `gave up after ${item.receiveCount} receives: ${reasons}`);
    // A consumer that can no longer work hands the message straight to a healthy one: not its fault.
    const visibilitySeconds = this.options.unhealthy?.() ? 0 : backoffSeconds(item.receiveCount, this.options.backoff);
    await this.queue.release(message, visibilitySeconds);
    this.emit("message_released", message, { visibilitySeconds, errors: errors.map((e) => e.message) });
  }

  private async park(item: Held, reason: string): Promise<void> {
    await this.queue.deadLetter(item.message, reason, item.receiveCount);
    this.emit("message_dead_lettered", item.message, { reason });
  }

  private async extendVisibility(): Promise<void> {
    const messages = [...this.held.values()].filter((i) => !i.released).map((i) => i.message);
    if (messages.length === 0) return;
    try {
      const refused = await this.queue.extend(messages, this.options.visibilityTimeoutSeconds);
      if (refused.length > 0) this.emit("visibility_error", { refused });
    } catch (err) {
      this.emit("visibility_error", { refused: [], error: (err as Error).message });
    }
  }
}
