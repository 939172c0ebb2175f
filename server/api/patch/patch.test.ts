import { describe, expect, it } from 'vitest';
import { applyJsonPatch, PatchError } from './json-patch.js';
import { applyMergePatch } from './merge-patch.js';

describe('JSON merge patch (RFC 7386 appendix A)', () => {
  it.each([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])('%j + %j', (target, patch, expected) => {
    expect(applyMergePatch(target, patch)).toEqual(expected);
  });
});

describe('JSON patch (RFC 6902)', () => {
  const doc = { metadata: { labels: { a: '1' } }, spec: { list: ['x', 'y'] } };

  it.each([
    ['add to an object', [{ op: 'add', path: '/metadata/labels/b', value: '2' }], { metadata: { labels: { a: '1', b: '2' } }, spec: { list: ['x', 'y'] } }],
    ['add into an array', [{ op: 'add', path: '/spec/list/1', value: 'q' }], { metadata: { labels: { a: '1' } }, spec: { list: ['x', 'q', 'y'] } }],
    ['append with -', [{ op: 'add', path: '/spec/list/-', value: 'z' }], { metadata: { labels: { a: '1' } }, spec: { list: ['x', 'y', 'z'] } }],
    ['remove', [{ op: 'remove', path: '/spec/list/0' }], { metadata: { labels: { a: '1' } }, spec: { list: ['y'] } }],
    ['replace', [{ op: 'replace', path: '/metadata/labels/a', value: '9' }], { metadata: { labels: { a: '9' } }, spec: { list: ['x', 'y'] } }],
    ['move', [{ op: 'move', from: '/metadata/labels/a', path: '/metadata/labels/z' }], { metadata: { labels: { z: '1' } }, spec: { list: ['x', 'y'] } }],
    ['copy', [{ op: 'copy', from: '/spec/list/0', path: '/spec/list/-' }], { metadata: { labels: { a: '1' } }, spec: { list: ['x', 'y', 'x'] } }],
    ['test then replace', [{ op: 'test', path: '/spec/list/1', value: 'y' }, { op: 'replace', path: '/spec/list/1', value: 'w' }], { metadata: { labels: { a: '1' } }, spec: { list: ['x', 'w'] } }],
    ['escaped pointers', [{ op: 'add', path: '/metadata/labels/app.kubernetes.io~1name', value: 'n' }], { metadata: { labels: { a: '1', 'app.kubernetes.io/name': 'n' } }, spec: { list: ['x', 'y'] } }],
  ])('%s', (_name, patch, expected) => {
    expect(applyJsonPatch(doc, patch)).toEqual(expected);
    expect(doc.spec.list).toEqual(['x', 'y']);
  });

  it.each([
    ['a failed test', [{ op: 'test', path: '/spec/list/0', value: 'nope' }]],
    ['a missing path', [{ op: 'remove', path: '/spec/missing' }]],
    ['an index out of range', [{ op: 'add', path: '/spec/list/9', value: 1 }]],
    ['an unknown op', [{ op: 'frob', path: '/a' }]],
    ['a pointer without a slash', [{ op: 'add', path: 'a', value: 1 }]],
    ['not a list', { op: 'add' }],
  ])('rejects %s', (_name, patch) => {
    expect(() => applyJsonPatch(doc, patch)).toThrow(PatchError);
  });
});
