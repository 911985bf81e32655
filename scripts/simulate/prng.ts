/**
 * A seeded pseudo-random source (mulberry32): the simulator never reads Math.random or the clock,
 * so one seed gives one run, and a property test that fails can be replayed from its seed.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** A positive sample with the given mean and coefficient of variation (lognormal; cv 0 gives the mean). */
  lognormal(mean: number, cv: number): number;
  /** A Poisson count with mean `lambda` (normal approximation above 50, where it is within a count). */
  poisson(lambda: number): number;
}

export function seeded(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => {
    // Box-Muller; 1 - next() keeps the logarithm finite.
    const u = 1 - next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
  };
  return {
    next,
    lognormal(mean, cv) {
      if (cv <= 0) return mean;
      const sigma2 = Math.log(1 + cv * cv);
      return mean * Math.exp(Math.sqrt(sigma2) * normal() - sigma2 / 2);
    },
    poisson(lambda) {
      if (lambda <= 0) return 0;
      if (lambda > 50) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normal()));
      const limit = Math.exp(-lambda);
      let k = 0;
      for (let p = next(); p > limit; p *= next()) k++;
      return k;
    },
  };
}
