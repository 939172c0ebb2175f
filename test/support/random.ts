/**
 * @module test/support/random
 * Layer: tests. A small seeded PRNG (mulberry32) and helpers, so a fuzzed or randomised test reproduces
 * from the seed it prints.
 */

export interface Random {
  /** a float in [0, 1) */
  (): number;
  /** an integer in [0, n) */
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
}

export function seeded(seed: number): Random {
  let state = seed >>> 0;
  const next = (() => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }) as Random;
  next.int = (n) => Math.floor(next() * n);
  next.pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)] as T;
  return next;
}
