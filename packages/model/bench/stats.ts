// Timing helpers shared by the benchmark sections.
import { performance } from 'node:perf_hooks';

export interface Timing {
  /** Milliseconds per call, in call order. */
  latencies: number[];
  p50Ms: number;
  p95Ms: number;
  /** Sum of latencies. */
  totalMs: number;
  runs: number;
}

/** One warm-up call, then calls for `seconds` (at least `minRuns`), each timed on its own. */
export async function timeCalls(seconds: number, call: () => Promise<unknown>, minRuns = 3): Promise<Timing> {
  await call();
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  while (performance.now() < deadline || latencies.length < minRuns) {
    const start = performance.now();
    await call();
    latencies.push(performance.now() - start);
  }
  return summarise(latencies);
}

/**
 * Two alternatives timed in alternation (a, b, a, b, ...) for `seconds` in all, so a change in machine
 * load during the run hits both alike.
 */
export async function timeAlternating(
  seconds: number,
  a: () => Promise<unknown>,
  b: () => Promise<unknown>,
  minRuns = 3,
): Promise<[Timing, Timing]> {
  await a();
  await b();
  const times: [number[], number[]] = [[], []];
  const deadline = performance.now() + seconds * 1000;
  while (performance.now() < deadline || times[1].length < minRuns) {
    for (const [i, call] of [a, b].entries()) {
      const start = performance.now();
      await call();
      times[i]!.push(performance.now() - start);
    }
  }
  return [summarise(times[0]), summarise(times[1])];
}

export function summarise(latencies: number[]): Timing {
  const sorted = [...latencies].sort((x, y) => x - y);
  const half = sorted.length / 2;
  const p50Ms = sorted.length % 2 ? sorted[Math.floor(half)]! : (sorted[half - 1]! + sorted[half]!) / 2;
  return {
    latencies,
    p50Ms,
    p95Ms: sorted[Math.min(sorted.length - 1, Math.floor(0.95 * sorted.length))]!,
    totalMs: sorted.reduce((x, y) => x + y, 0),
    runs: sorted.length,
  };
}

export const fmt = (n: number | undefined, digits = 1): string => (n === undefined ? '–' : n.toFixed(digits));
