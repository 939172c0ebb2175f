import { describe, expect, it } from 'vitest';
import { MAX_NESTING_DEPTH } from '../api/nesting.js';
import { ApiError } from '../api/status.js';
import { decodeYamlText } from './yaml-body.js';

function refused(text: string): ApiError {
  try {
    decodeYamlText(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(400);
    return err as ApiError;
  }
  throw new Error('the YAML was accepted');
}

function blockMaps(levels: number): string {
  let text = '';
  for (let i = 0; i < levels; i++) text += `${' '.repeat(i)}a:\n`;
  return `${text}${' '.repeat(levels)}x`;
}

describe('YAML bodies', () => {
  it('decodes documents with anchors, and reports repeated keys', () => {
    const decoded = decodeYamlText('base: &b {cpu: "1"}\nlimits: *b\nname: x\nname: y\n');
    expect(decoded.value).toEqual({ base: { cpu: '1' }, limits: { cpu: '1' }, name: 'y' });
    expect(decoded.duplicates).toEqual(['name']);
  });

  it('refuses flow nesting past the bound before the YAML library recurses, however often it is sent', () => {
    const text = `${'['.repeat(1000)}${']'.repeat(1000)}`;
    for (let i = 0; i < 5; i++) expect(refused(text).message).toContain(`more than ${MAX_NESTING_DEPTH} levels`);
    refused(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    refused(`a: ${'{b: '.repeat(2000)}x${'}'.repeat(2000)}`);
  });

  it('counts block nesting by indentation, entry indicators and sequences at their key\'s column', () => {
    expect(decodeYamlText(blockMaps(MAX_NESTING_DEPTH - 2)).value).toBeTruthy();
    refused(blockMaps(MAX_NESTING_DEPTH + 1));
    refused(`${'- '.repeat(MAX_NESTING_DEPTH + 1)}x\n`);
    let zigzag = '';
    for (let i = 0; i < 200; i++) zigzag += `${' '.repeat(2 * i)}- a${i}:\n`;
    refused(zigzag);
  });

  it('is not fooled by quotes, comments or block scalars around real brackets', () => {
    const deep = `${'['.repeat(400)}${']'.repeat(400)}`;
    refused(`{"a":"x," ${deep} "}`);
    refused(`[a "b, ${deep}]`);
    refused(`k: |\n  "open\nv: ${deep}\n`);
    refused(`k: # "\nv: ${deep}\n`);
  });

  it('refuses self-referencing anchors, too many aliases and expansions larger than a body', () => {
    expect(refused('x: &a [*a]\n').message).toContain('contains itself');
    expect(refused(`a: &a x\nl: [${Array(101).fill('*a').join(', ')}]\n`).message).toContain('excessive aliasing');
    const big = 'x'.repeat(2 * 1024 * 1024);
    expect(refused(`s: &s ${big}\nl: [${Array(99).fill('*s').join(', ')}]\n`).message).toContain('excessive aliasing');
    // A chain of anchors, each wrapping the last in more levels, grows deeper than its text.
    let chain = `a0: &a0 ${'['.repeat(100)}1${']'.repeat(100)}\n`;
    for (let i = 1; i < 5; i++) chain += `a${i}: &a${i} ${'['.repeat(100)}*a${i - 1}${']'.repeat(100)}\n`;
    expect(refused(chain).message).toContain('levels');
  });

  it('refuses several documents and malformed text with the position', () => {
    expect(refused('a: 1\n---\nb: 2\n').message).toContain('more than one');
    expect(refused('a: [1, 2\n').message).toMatch(/line \d+, column \d+/);
    expect(refused('? [a, b]\n: c\n').message).toContain('a mapping key must be a scalar');
  });
});
