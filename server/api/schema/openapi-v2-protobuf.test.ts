import { describe, expect, it } from 'vitest';
import { encodeOpenApiV2 } from './openapi-v2-protobuf.js';

describe('OpenAPI v2 as gnostic protobuf', () => {
  it('encodes swagger, info, an empty paths and definitions with gnostic field numbers', () => {
    const bytes = encodeOpenApiV2({
      swagger: '2.0',
      info: { title: 'K', version: 'v' },
      definitions: { D: { type: 'object', required: ['a'], properties: { a: { $ref: '#/definitions/E' } }, 'x-k': [{ kind: 'D' }] } },
    });
    const hex = bytes.toString('hex');
    // swagger (1), info (2: title 1, version 2), paths (8, empty)
    expect(hex.startsWith(`0a03${Buffer.from('2.0').toString('hex')}1206${'0a014b'}${'120176'}4200`)).toBe(true);
    // definitions (9) → NamedSchema (1) → name "D" (1) …
    expect(hex).toContain(`4a`);
    expect(bytes.includes(Buffer.from('#/definitions/E'))).toBe(true);
    // required (19 → 9a 01), type (22 → b2 01) holding "object", properties (25 → ca 01), extension (31 → fa 01) as YAML
    for (const tag of ['9a01', 'b201', 'ca01', 'fa01']) expect(hex).toContain(tag);
    expect(bytes.includes(Buffer.from('[{"kind":"D"}]\n'))).toBe(true);
  });
});
