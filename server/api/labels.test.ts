import { describe, expect, it } from 'vitest';
import { formatLabels, formatLabelSelector, fromLabelSelector, parseSelector, SelectorParseError } from './labels.js';

describe('label selectors', () => {
  it.each([
    ['a=b', { a: 'b' }, true],
    ['a=b', { a: 'c' }, false],
    ['a==b,c!=d', { a: 'b', c: 'x' }, true],
    ['a!=b', {}, true],
    ['env in (prod, dev)', { env: 'dev' }, true],
    ['env notin (prod)', {}, true],
    ['tier', { tier: '' }, true],
    ['!tier', { tier: 'x' }, false],
    ['sel=in', { sel: 'in' }, true],
    ['x in (in,notin)', { x: 'notin' }, true],
    ['gpu>2', { gpu: '4' }, true],
    ['gpu<2', { gpu: '4' }, false],
    ['', { any: 'thing' }, true],
  ])('%j on %j → %s', (selector, labels, expected) => {
    expect(parseSelector(selector).matches(labels)).toBe(expected);
  });

  it.each([
    ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ['app in foo', "unable to parse requirement: found 'foo' expected: '('"],
    ['=foo', "found '=', expected: !, identifier, or 'end of string'"],
    ['a=b c', "found 'c', expected: ',' or 'end of string'"],
    ['a,,b', "found ',', expected: identifier after ','"],
    ['a>x', "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer"],
  ])('rejects %j as upstream words it', (selector, message) => {
    expect(() => parseSelector(selector)).toThrow(SelectorParseError);
    expect(() => parseSelector(selector)).toThrow(message);
  });

  it('prints selectors and label maps as kubectl does', () => {
    expect(formatLabelSelector({ matchLabels: { b: '2', a: '1' }, matchExpressions: [{ key: 'c', operator: 'In', values: ['y', 'x'] }, { key: 'd', operator: 'DoesNotExist' }] })).toBe(
      'a=1,b=2,c in (x,y),!d',
    );
    expect(formatLabelSelector({})).toBe('<none>');
    expect(formatLabels({ z: '1', a: '2' })).toBe('a=2,z=1');
    expect(formatLabels({})).toBe('<none>');
    expect(fromLabelSelector(undefined).matches({ a: 'b' })).toBe(false);
    expect(fromLabelSelector({}).matches({ a: 'b' })).toBe(true);
  });
});
