/**
 * Typed stack outputs across layers. A layer declares what it exports once, as a zod shape: the
 * shape types the record its program returns, and later layers read it back through
 * `readStackOutputs`, which checks every value it hands out. A missing or mistyped output stops the
 * deploy (and the offline plan) with an error naming the stack and the output key, instead of an
 * `any` flowing into resource arguments.
 */
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";

/** A layer's exports: one schema per output key. */
export type OutputShape = Record<string, z.ZodType>;

/** A value whose parts may each still be an output or a promise, as a stack program may export it. */
export type DeepInput<T> = pulumi.Input<
  T extends readonly (infer U)[] ? DeepInput<U>[] : T extends object ? { [K in keyof T]: DeepInput<T[K]> } : T
>;

/** What a layer's program returns for `shape`. */
export type StackOutputs<S extends OutputShape> = { [K in keyof S]: DeepInput<z.output<S[K]>> };

export class StackOutputError extends Error {
  constructor(
    /** The referenced stack (not `stack`: that is the error's trace). */
    readonly stackName: string,
    readonly key: string,
    readonly problem: string,
  ) {
    super(`stack ${stackName}: output "${key}" ${problem}`);
    this.name = "StackOutputError";
  }
}

export interface StackOutputsReader<S extends OutputShape> {
  /** The referenced stack, as configured. */
  readonly stack: string;
  /** One output, checked against its schema when it resolves. */
  output<K extends keyof S & string>(key: K): pulumi.Output<z.output<S[K]>>;
  /** One output's value now: for what the program's shape depends on (names, counts, regions). */
  value<K extends keyof S & string>(key: K): Promise<z.output<S[K]>>;
}

/** Checks one output value; throws a StackOutputError naming the stack and the key (never the value: it may be secret). */
export function checkOutput<S extends OutputShape, K extends keyof S & string>(
  stack: string,
  shape: S,
  key: K,
  value: unknown,
): z.output<S[K]> {
  if (value === undefined) throw new StackOutputError(stack, key, "is missing");
  const parsed = shape[key].safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length > 0 ? ` at ${issue.path.join(".")}` : "";
    throw new StackOutputError(stack, key, `is not what this layer expects${where}: ${issue.message}`);
  }
  return parsed.data as z.output<S[K]>;
}

/** Reads the outputs of `stack` (an earlier layer's stack) with that layer's output shape. */
export function readStackOutputs<S extends OutputShape>(stack: string, shape: S): StackOutputsReader<S> {
  const ref = new pulumi.StackReference(stack);
  return {
    stack,
    output: (key) => ref.getOutput(key).apply((v) => checkOutput(stack, shape, key, v)),
    value: async (key) => checkOutput(stack, shape, key, await ref.getOutputValue(key)),
  };
}
