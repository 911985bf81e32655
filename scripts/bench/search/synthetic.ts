/**
 * Vectors at scale with the structure of real embeddings. The seeds are real CNN embeddings of
 * the project's photos projected by a PCA fitted on them; each synthetic vector is a seed plus
 * Gaussian noise along the PCA axes with the variances PCA measured (scaled by `spread`), then
 * L2-normalised, as the build's vectors are. So the set is clustered around real photos, with
 * the real data's anisotropy, rather than uniform on the sphere (which HNSW finds unrealistically
 * hard and compresses nothing).
 */
import { l2Normalise } from "../../../workloads/search/embedder/embedder";
import { rng } from "../../../workloads/search/feed/generator";

export interface SyntheticSource {
  /** Real embeddings after the projection. */
  seeds: Float32Array[];
  /** Variance along each projected axis (from the PCA fit). */
  variances: number[];
}

export function syntheticVectors(source: SyntheticSource, count: number, seed: number, spread = 0.5): Float32Array {
  const random = rng(seed);
  const gaussian = () => {
    const u = Math.max(random(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  const d = source.variances.length;
  const sd = source.variances.map((v) => Math.sqrt(Math.max(v, 0)) * spread);
  const out = new Float32Array(count * d);
  const v = new Float32Array(d);
  for (let n = 0; n < count; n++) {
    const s = source.seeds[Math.floor(random() * source.seeds.length)];
    for (let i = 0; i < d; i++) v[i] = s[i] + sd[i] * gaussian();
    out.set(l2Normalise(v), n * d);
  }
  return out;
}
