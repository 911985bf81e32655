/**
 * Photo (the model's preprocessed input) -> unit-length vector. `version` names exactly the
 * function that produced a vector (model bytes, projection bytes): vectors of two versions are
 * never mixed in one segment, and a new version means re-embedding.
 */
export interface Embedder {
  readonly version: string;
  readonly dimension: number;
  /** One L2-normalised vector per input, in order. */
  embed(inputs: Float32Array[]): Promise<Float32Array[]>;
  close(): Promise<void>;
}

/** In place; a zero vector stays zero (it matches nothing rather than everything). */
export function l2Normalise(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i] * v[i];
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i] /= norm;
  return v;
}
