import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.js';

describe('parseDuration', () => {
  it('reads Go durations', () => {
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('0')).toBe(0);
    expect(parseDuration('-2m')).toBe(-120_000);
  });

  it('rejects anything else', () => {
    for (const bad of ['', '1', 'h', '1d', '1 h', 'one hour', '1h-5m']) expect(parseDuration(bad), bad).toBeUndefined();
  });
});
