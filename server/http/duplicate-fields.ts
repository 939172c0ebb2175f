/**
 * @module server/http/duplicate-fields
 * Layer: http. Finds fields a JSON body sets twice (YAML: yaml-body.ts) (which JSON.parse and YAML loaders silently
 * collapse), so fieldValidation=Strict can reject them and Warn can report them, as upstream's strict decoder
 * does: `duplicate field "metadata.name"`.
 */

/** Duplicate keys of a JSON text, as dotted paths; [] when there are none or the text is not JSON. */
export function duplicateJsonFields(text: string): string[] {
  const duplicates: string[] = [];
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i] as string)) i++;
  };
  const string = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: string): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const seen = new Set<string>();
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        const key = string();
        const child = path ? `${path}.${key}` : key;
        if (seen.has(key)) duplicates.push(child);
        seen.add(key);
        ws();
        i++; // ':'
        value(child);
        ws();
        if (text[i++] === '}') return;
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (let index = 0; ; index++) {
        value(`${path}[${index}]`);
        ws();
        if (text[i++] === ']') return;
      }
    } else if (c === '"') {
      string();
    } else {
      while (i < text.length && !',}] \t\r\n'.includes(text[i] as string)) i++;
    }
  };
  try {
    value('');
  } catch {
    return [];
  }
  return duplicates;
}
