/** Runs `count` calls with at most `concurrency` in flight (a load generator), timing each. */
export async function drive(
  count: number,
  concurrency: number,
  call: (i: number) => Promise<void>,
): Promise<{ latenciesMs: number[]; seconds: number }> {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`concurrency ${concurrency}: expected >= 1`);
  const latenciesMs = new Array<number>(count);
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < count) {
      const i = next++;
      const t = performance.now();
      await call(i);
      latenciesMs[i] = performance.now() - t;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return { latenciesMs, seconds: (performance.now() - started) / 1000 };
}
