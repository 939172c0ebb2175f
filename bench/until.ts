/**
 * @module bench/until
 * Layer: benchmarks. Polls a condition every 50 ms until it holds or time runs out — the benchmarks' one way
 * of waiting for a cluster to reach a state.
 */
export async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}
