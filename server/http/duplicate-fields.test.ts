import { describe, expect, it } from 'vitest';
import { duplicateJsonFields } from './duplicate-fields.js';
import { decodeYamlText } from './yaml-body.js';

describe('duplicate fields', () => {
  it('finds repeated JSON keys with their paths', () => {
    expect(duplicateJsonFields('{"metadata":{"name":"a","name":"b"},"data":{"x":"1"},"items":[{"k":1,"k":2}],"data":{}}')).toEqual(['metadata.name', 'items[0].k', 'data']);
    expect(duplicateJsonFields('{"a":"has \\"quotes\\"","b":[1,2,{"c":null}]}')).toEqual([]);
    expect(duplicateJsonFields('not json')).toEqual([]);
  });

  it('finds repeated YAML keys with their paths', () => {
    expect(decodeYamlText('metadata:\n  name: a\n  name: b\nspec:\n  - x: 1\n    x: 2\n').duplicates).toEqual(['metadata.name', 'spec[0].x']);
    expect(decodeYamlText('a: 1\nb: 2\n').duplicates).toEqual([]);
  });
});
