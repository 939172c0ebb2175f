/**
 * @module server/api/fields
 * Layer: api (pure). Field selectors: `a=b,c==d,e!=f` with upstream's escaping (\, \= \\), matched against
 * the per-kind field values a resource declares (mirrors k8s.io/apimachinery/pkg/fields).
 */

export interface FieldRequirement {
  field: string;
  operator: '=' | '!=';
  value: string;
}

export class FieldSelectorParseError extends Error {
  override readonly name = 'FieldSelectorParseError';
}

/** Split on unescaped `sep`. */
function splitUnescaped(input: string, sep: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i] as string;
    if (c === '\\' && i + 1 < input.length) {
      current += c + (input[i + 1] as string);
      i++;
    } else if (c === sep) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts;
}

function unescape(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (c === '\\') {
      const next = value[i + 1];
      if (next === '\\' || next === ',' || next === '=') {
        out += next;
        i++;
        continue;
      }
      throw new FieldSelectorParseError(`invalid field selector: invalid escape sequence: \\${next ?? ''}`);
    }
    if (c === '=' || c === ',') throw new FieldSelectorParseError(`invalid field selector: unescaped character in value: ${c.charCodeAt(0)}`);
    out += c;
  }
  return out;
}

export function parseFieldSelector(input: string): FieldRequirement[] {
  if (input.trim() === '') return [];
  return splitUnescaped(input, ',').map((term) => {
    const match = /^(.*?)(!=|==|=)(.*)$/s.exec(term);
    if (!match) throw new FieldSelectorParseError(`invalid selector: '${input}'; can't understand '${term}'`);
    const [, field, op, value] = match as unknown as [string, string, string, string];
    return { field: field.trim(), operator: op === '!=' ? '!=' : '=', value: unescape(value) };
  });
}

/** Whether the object's field values satisfy every requirement (absent fields read as ""). */
export function fieldsMatch(requirements: readonly FieldRequirement[], value: (field: string) => string): boolean {
  for (const { field, operator, value: wanted } of requirements) {
    const actual = value(field);
    if ((actual === wanted) !== (operator === '=')) return false;
  }
  return true;
}

export function formatFieldSelector(requirements: readonly FieldRequirement[]): string {
  return requirements.map((r) => `${r.field}${r.operator}${r.value}`).join(',');
}
