/**
 * @module controllers/toolkit/int-or-percent
 * Layer: controllers (pure). An IntOrString field ("25%" or 3) scaled against a total, rounded as the caller
 * asks (upstream GetScaledValueFromIntOrPercent): surge and minAvailable round up, unavailable rounds down.
 */

export function scaledValue(value: number | string | undefined, total: number, roundUp: boolean): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value;
  const match = /^(\d+)%$/.exec(value);
  if (!match) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const exact = (Number(match[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

export function isPercent(value: number | string | undefined): value is string {
  return typeof value === 'string' && value.endsWith('%');
}
