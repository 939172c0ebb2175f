import { describe, expect, it } from 'vitest';
import { humanDuration, rfc3339, rfc3339Micro } from './time.js';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;

describe('humanDuration (as kubectl AGE)', () => {
  it.each([
    [-3 * s, '<invalid>'],
    [-1 * s, '0s'],
    [0, '0s'],
    [95 * s, '95s'],
    [119 * s, '119s'],
    [2 * m, '2m'],
    [9 * m + 59 * s, '9m59s'],
    [10 * m, '10m'],
    [179 * m, '179m'],
    [3 * h, '3h'],
    [7 * h + 59 * m, '7h59m'],
    [47 * h, '47h'],
    [2 * d, '2d'],
    [7 * d + 23 * h, '7d23h'],
    [729 * d, '729d'],
    [730 * d, '2y'],
    [3 * 365 * d + 5 * d, '3y5d'],
    [9 * 365 * d, '9y'],
  ])('%d ms → %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });
});

describe('timestamps', () => {
  it('formats metav1.Time with whole seconds and MicroTime with microseconds', () => {
    const date = new Date('2024-05-01T10:00:07.123Z');
    expect(rfc3339(date)).toBe('2024-05-01T10:00:07Z');
    expect(rfc3339Micro(date)).toBe('2024-05-01T10:00:07.123000Z');
  });
});
