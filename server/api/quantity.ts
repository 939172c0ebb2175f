/**
 * @module server/api/quantity
 * Layer: api (pure). resource.Quantity parsing (`100m`, `1.5Gi`, `2e3`, `128974848`) to exact milli-units,
 * for comparisons (requests ≤ limits, scheduling against allocatable). Values beyond milli precision round up,
 * as upstream rounds requests up.
 */

const BINARY: Record<string, bigint> = { Ki: 1n << 10n, Mi: 1n << 20n, Gi: 1n << 30n, Ti: 1n << 40n, Pi: 1n << 50n, Ei: 1n << 60n };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([eE][+-]?\d+)|(n|u|m|k|M|G|T|P|E))?$/;

/** Milli-units of a quantity (e.g. "100m" → 100n, "1" → 1000n, "1Ki" → 1024000n); undefined when malformed. */
export function parseQuantity(text: string | number): bigint | undefined {
  const match = QUANTITY.exec(String(text).trim());
  if (!match) return undefined;
  const [, sign, digits, binary, exponent, decimal] = match as unknown as [string, string, string, string?, string?, string?];
  const [whole = '', fraction = ''] = digits.split('.');
  let mantissa = BigInt((whole || '0') + fraction);
  let power = -fraction.length + 3; // to milli
  if (binary) mantissa *= BINARY[binary] as bigint;
  else if (exponent) power += Number(exponent.slice(1));
  else power += DECIMAL[decimal ?? ''] as number;
  let milli: bigint;
  if (power >= 0) milli = mantissa * 10n ** BigInt(power);
  else {
    const divisor = 10n ** BigInt(-power);
    milli = mantissa / divisor + (mantissa % divisor === 0n ? 0n : 1n);
  }
  return sign === '-' ? -milli : milli;
}

export function isQuantity(text: unknown): boolean {
  return (typeof text === 'string' || typeof text === 'number') && parseQuantity(text) !== undefined;
}

const BINARY_STEPS: [string, bigint][] = [['Ei', 1n << 60n], ['Pi', 1n << 50n], ['Ti', 1n << 40n], ['Gi', 1n << 30n], ['Mi', 1n << 20n], ['Ki', 1n << 10n]];
const DECIMAL_STEPS: [string, bigint][] = [['E', 10n ** 18n], ['P', 10n ** 15n], ['T', 10n ** 12n], ['G', 10n ** 9n], ['M', 10n ** 6n], ['k', 10n ** 3n]];

/** Whether a quantity is written in binary units (`Ki`, `Mi`, …): sums keep that format, as upstream's do. */
export function isBinaryQuantity(text: string | number): boolean {
  return /[KMGTPE]i$/.test(String(text).trim());
}

/**
 * The canonical text of a quantity given in milli-units, as resource.Quantity prints it: the largest suffix
 * that keeps the number whole (`2k`, `256Mi`, `500m`), binary suffixes only for binary-format quantities.
 */
export function formatQuantity(milli: bigint, binary = false): string {
  const sign = milli < 0n ? '-' : '';
  const magnitude = milli < 0n ? -milli : milli;
  if (magnitude % 1000n !== 0n) return `${sign}${magnitude}m`;
  const whole = magnitude / 1000n;
  if (whole === 0n) return '0';
  for (const [suffix, step] of binary ? BINARY_STEPS : DECIMAL_STEPS) {
    if (whole % step === 0n) return `${sign}${whole / step}${suffix}`;
  }
  return `${sign}${whole}`;
}
