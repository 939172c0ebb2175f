import { describe, expect, it } from 'vitest';
import { parseQuantity } from './quantity.js';

describe('parseQuantity', () => {
  it.each([
    ['1', 1000n],
    ['100m', 100n],
    ['1.5', 1500n],
    ['0.1', 100n],
    ['1Ki', 1024000n],
    ['1Gi', 1073741824000n],
    ['2e3', 2000000n],
    ['1k', 1000000n],
    ['500u', 1n],
    ['-1', -1000n],
    [2, 2000n],
    ['.5', 500n],
  ])('%s → %s milli', (text, milli) => {
    expect(parseQuantity(text)).toBe(milli);
  });

  it.each(['', 'abc', '1.2.3', '1Kb', 'Gi'])('rejects %j', (text) => {
    expect(parseQuantity(text)).toBeUndefined();
  });
});
