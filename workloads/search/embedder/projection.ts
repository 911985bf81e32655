/**
 * A linear projection (PCA) fitted on unit-length embeddings: y = W (x - mean). Stored as an
 * asset (JSON: mean, components row by row); its version is the hash of those bytes, and is part
 * of the embedding version of every vector projected with it.
 */
import { createHash } from "node:crypto";
import { z } from "zod";

const ProjectionFile = z.strictObject({
  kind: z.literal("pca"),
  inputDimension: z.int().positive(),
  outputDimension: z.int().positive(),
  mean: z.array(z.number()),
  /** outputDimension rows of inputDimension values, by decreasing variance. */
  components: z.array(z.array(z.number())),
  /** Variance along each component, for the record. */
  variances: z.array(z.number()),
});
export type ProjectionFile = z.infer<typeof ProjectionFile>;

export class Projection {
  readonly version: string;
  readonly inputDimension: number;
  readonly outputDimension: number;
  private readonly mean: Float32Array;
  private readonly w: Float32Array;

  constructor(
    readonly file: ProjectionFile,
    readonly bytes: Buffer,
  ) {
    this.inputDimension = file.inputDimension;
    this.outputDimension = file.outputDimension;
    this.mean = Float32Array.from(file.mean);
    this.w = Float32Array.from(file.components.flat());
    this.version = `pca${file.outputDimension}@sha256:${createHash("sha256").update(bytes).digest("hex").slice(0, 12)}`;
  }

  static parse(bytes: Buffer, name: string): Projection {
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString("utf8"));
    } catch (err) {
      throw new Error(`projection ${name}: not JSON: ${(err as Error).message}`);
    }
    const parsed = ProjectionFile.safeParse(json);
    if (!parsed.success)
      throw new Error(
        `projection ${name}: ${parsed.error.issues[0].path.join(".")}: ${parsed.error.issues[0].message}`,
      );
    const f = parsed.data;
    if (
      f.mean.length !== f.inputDimension ||
      f.components.length !== f.outputDimension ||
      f.components.some((r) => r.length !== f.inputDimension)
    )
      throw new Error(`projection ${name}: mean and components do not match ${f.outputDimension}x${f.inputDimension}`);
    return new Projection(f, bytes);
  }

  static serialise(file: ProjectionFile): Projection {
    return new Projection(file, Buffer.from(`${JSON.stringify(file)}\n`));
  }

  apply(x: Float32Array): Float32Array {
    const d = this.inputDimension;
    const centred = new Float32Array(d);
    for (let i = 0; i < d; i++) centred[i] = x[i] - this.mean[i];
    const y = new Float32Array(this.outputDimension);
    for (let r = 0; r < this.outputDimension; r++) {
      let s = 0;
      const o = r * d;
      for (let i = 0; i < d; i++) s += this.w[o + i] * centred[i];
      y[r] = s;
    }
    return y;
  }
}

/**
 * PCA by subspace iteration on the covariance of `rows` (n vectors of dimension d): the top
 * `k` directions. Deterministic (fixed start), so the same rows give the same asset bytes.
 */
export function fitPca(rows: Float32Array[], k: number, iterations = 60): ProjectionFile {
  const n = rows.length;
  const d = rows[0]?.length ?? 0;
  // Past n - 1 components the covariance has no variance left: they would be noise.
  if (k >= n || k > d)
    throw new Error(`PCA of ${n} vectors of dimension ${d} to ${k}: need more vectors than components and k <= d`);
  const mean = new Float64Array(d);
  for (const r of rows) for (let i = 0; i < d; i++) mean[i] += r[i] / n;
  const x = rows.map((r) => Float64Array.from(r, (v, i) => v - mean[i]));
  // Covariance-times-basis without forming the d x d matrix: C q = X^T (X q) / n.
  let q: Float64Array[] = Array.from({ length: k }, (_, j) =>
    Float64Array.from({ length: d }, (_, i) => Math.sin((i + 1) * (j + 1) * 0.7311) + (i === j ? 1 : 0)),
  );
  orthonormalise(q);
  const times = (basis: Float64Array[]) =>
    basis.map((b) => {
      const out = new Float64Array(d);
      for (const row of x) {
        let dot = 0;
        for (let i = 0; i < d; i++) dot += row[i] * b[i];
        for (let i = 0; i < d; i++) out[i] += (row[i] * dot) / n;
      }
      return out;
    });
  for (let it = 0; it < iterations; it++) {
    q = times(q);
    orthonormalise(q);
  }
  const cq = times(q);
  const variances = q.map((b, j) => b.reduce((s, v, i) => s + v * cq[j][i], 0));
  const order = variances.map((v, j) => [v, j] as const).sort((a, b) => b[0] - a[0]);
  return {
    kind: "pca",
    inputDimension: d,
    outputDimension: k,
    mean: Array.from(mean, (v) => Math.fround(v)),
    components: order.map(([, j]) => Array.from(q[j], (v) => Math.fround(v))),
    variances: order.map(([v]) => v),
  };
}

function orthonormalise(basis: Float64Array[]): void {
  for (let j = 0; j < basis.length; j++) {
    const b = basis[j];
    for (let p = 0; p < j; p++) {
      let dot = 0;
      for (let i = 0; i < b.length; i++) dot += b[i] * basis[p][i];
      for (let i = 0; i < b.length; i++) b[i] -= dot * basis[p][i];
    }
    let norm = 0;
    for (const v of b) norm += v * v;
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < b.length; i++) b[i] /= norm;
  }
}
