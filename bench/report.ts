/**
 * @module bench/report
 * Layer: benchmarks. Timing helpers and the printed report: every figure sits beside a baseline measured in
 * the same run, so the ratio means something on a shared, noisy machine.
 */

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

export async function timed(fn: () => Promise<unknown> | unknown): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

export function rate(count: number, ms: number): number {
  return (count / ms) * 1000;
}

export interface Row {
  name: string;
  value: string;
  baseline?: string;
  ratio?: string;
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function printSection(title: string, rows: Row[]): void {
  const width = Math.max(...rows.map((r) => r.name.length), 10);
  const valueWidth = Math.max(...rows.map((r) => r.value.length), 8);
  process.stdout.write(`\n## ${title}\n`);
  for (const row of rows) {
    const extra = row.baseline ? `   vs ${row.baseline}${row.ratio ? ` → ${row.ratio}` : ''}` : '';
    process.stdout.write(`  ${row.name.padEnd(width)}  ${row.value.padStart(valueWidth)}${extra}\n`);
  }
}

export function ratio(value: number, baseline: number): string {
  return `${fmt((value / baseline) * 100, 0)} %`;
}
