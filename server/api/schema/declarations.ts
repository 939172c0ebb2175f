/**
 * @module server/api/schema/declarations
 * Layer: api (pure). Reads the TypeScript declarations shipped by the `kubernetes-types` package — generated
 * from the upstream OpenAPI, with every field's documentation — into a type model kubemu can serve as OpenAPI,
 * use for `kubectl explain`, and check request bodies against. The files are machine-generated and regular,
 * so a small purpose-built reader suffices (no TypeScript compiler at run time).
 */

export type TypeRef =
  | { kind: 'string' | 'number' | 'boolean' | 'unknown' }
  | { kind: 'literal'; value: string }
  | { kind: 'array'; items: TypeRef }
  | { kind: 'map'; values: TypeRef }
  | { kind: 'ref'; name: string }
  | { kind: 'intOrString' }
  | { kind: 'union'; options: TypeRef[] };

export interface PropertyDef {
  type: TypeRef;
  description: string;
  required: boolean;
}

export interface TypeDef {
  /** OpenAPI definition name, e.g. io.k8s.api.apps.v1.DaemonSet */
  name: string;
  description: string;
  /** an interface's fields (absent for aliases) */
  properties?: Record<string, PropertyDef>;
  /** for `export type X = …` */
  alias?: TypeRef;
}

/** `apps/v1` → `io.k8s.api.apps.v1`, following upstream's Go package paths. */
export function definitionPrefix(modulePath: string): string {
  switch (modulePath) {
    case 'meta/v1':
      return 'io.k8s.apimachinery.pkg.apis.meta.v1';
    case 'api/resource':
      return 'io.k8s.apimachinery.pkg.api.resource';
    case 'runtime':
      return 'io.k8s.apimachinery.pkg.runtime';
    case 'version':
      return 'io.k8s.apimachinery.pkg.version';
    case 'apiextensions/v1':
      return 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1';
    default:
      return `io.k8s.api.${modulePath.replace(/\//g, '.')}`;
  }
}

function cleanDoc(raw: string): string {
  const inner = raw.replace(/^\/\*\*/, '').replace(/\*\/$/, '');
  const lines = inner.split('\n').map((line) => line.replace(/^\s*\* ?/, '').replace(/\s+$/, ''));
  return lines.join('\n').trim();
}

/** Resolve `../meta/v1` relative to `apps/v1` → `meta/v1`. */
function resolveModule(from: string, spec: string): string {
  const parts = from.split('/').slice(0, -1);
  for (const piece of spec.split('/')) {
    if (piece === '..') parts.pop();
    else if (piece !== '.') parts.push(piece);
  }
  return parts.join('/');
}

/** Split at `sep` outside of <>, {}, () and string literals. */
function splitTopLevel(text: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (quoted) continue;
    else if (c === '<' || c === '{' || c === '(') depth++;
    else if (c === '>' || c === '}' || c === ')') depth--;
    else if (c === sep && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

class ModuleReader {
  private readonly scope = new Map<string, string>();

  constructor(
    private readonly modulePath: string,
    private readonly text: string,
  ) {
    for (const match of text.matchAll(/import \{([^}]*)\} from "([^"]+)";/g)) {
      const target = definitionPrefix(resolveModule(modulePath, match[2] as string));
      for (const name of (match[1] as string).split(',').map((n) => n.trim()).filter(Boolean)) this.scope.set(name, `${target}.${name}`);
    }
    for (const match of text.matchAll(/export (?:interface|type) (\w+)/g)) {
      this.scope.set(match[1] as string, `${definitionPrefix(modulePath)}.${match[1]}`);
    }
  }

  parseType(source: string): TypeRef {
    const text = source.trim();
    const options = splitTopLevel(text, '|').map((o) => o.trim());
    if (options.length > 1) {
      const kinds = new Set(options);
      if (kinds.size === 2 && kinds.has('number') && kinds.has('string')) return { kind: 'intOrString' };
      return { kind: 'union', options: options.map((o) => this.parseType(o)) };
    }
    if (text === 'string') return { kind: 'string' };
    if (text === 'number') return { kind: 'number' };
    if (text === 'boolean') return { kind: 'boolean' };
    if (text === 'any' || text === 'unknown' || text === 'object') return { kind: 'unknown' };
    if (text.startsWith('"')) return { kind: 'literal', value: JSON.parse(text) as string };
    if (text.endsWith('[]')) return { kind: 'array', items: this.parseType(text.slice(0, -2)) };
    const array = /^Array<([\s\S]*)>$/.exec(text);
    if (array) return { kind: 'array', items: this.parseType(array[1] as string) };
    const map = /^\{\s*\[\w+: string\]:\s*([\s\S]*?);?\s*\}$/.exec(text);
    if (map) return { kind: 'map', values: this.parseType(map[1] as string) };
    const name = this.scope.get(text);
    if (name) return { kind: 'ref', name };
    return { kind: 'unknown' };
  }

  /** Parse members of an interface body: optional doc comment, then `[readonly] name[?]: type;`. */
  parseMembers(body: string): Record<string, PropertyDef> {
    const properties: Record<string, PropertyDef> = {};
    let i = 0;
    let doc = '';
    while (i < body.length) {
      while (i < body.length && /\s/.test(body[i] as string)) i++;
      if (i >= body.length) break;
      if (body.startsWith('/**', i)) {
        const end = body.indexOf('*/', i);
        doc = cleanDoc(body.slice(i, end + 2));
        i = end + 2;
        continue;
      }
      // A member runs to the first `;` outside braces and angle brackets.
      let depth = 0;
      let j = i;
      for (; j < body.length; j++) {
        const c = body[j];
        if (c === '{' || c === '<') depth++;
        else if (c === '}' || c === '>') depth--;
        else if (c === ';' && depth === 0) break;
      }
      const member = body.slice(i, j).trim();
      i = j + 1;
      const match = /^(?:readonly\s+)?("[^"]+"|[\w$-]+)(\?)?\s*:\s*([\s\S]+)$/.exec(member);
      if (match) {
        const name = (match[1] as string).replace(/^"|"$/g, '');
        properties[name] = { type: this.parseType(match[3] as string), description: doc, required: match[2] !== '?' };
      }
      doc = '';
    }
    return properties;
  }

  read(): TypeDef[] {
    const defs: TypeDef[] = [];
    const declaration = /(\/\*\*[\s\S]*?\*\/)?\s*export (interface|type) (\w+)\s*(\{|=)/g;
    for (let match = declaration.exec(this.text); match; match = declaration.exec(this.text)) {
      const [, doc, form, name] = match as unknown as [string, string | undefined, string, string];
      const qualified = `${definitionPrefix(this.modulePath)}.${name}`;
      const description = doc ? cleanDoc(doc) : '';
      if (form === 'interface') {
        const open = declaration.lastIndex - 1;
        let depth = 0;
        let close = open;
        for (; close < this.text.length; close++) {
          if (this.text[close] === '{') depth++;
          else if (this.text[close] === '}' && --depth === 0) break;
        }
        defs.push({ name: qualified, description, properties: this.parseMembers(this.text.slice(open + 1, close)) });
        declaration.lastIndex = close + 1;
      } else {
        const end = this.text.indexOf(';', declaration.lastIndex);
        defs.push({ name: qualified, description, alias: this.parseType(this.text.slice(declaration.lastIndex, end)) });
        declaration.lastIndex = end + 1;
      }
    }
    return defs;
  }
}

/** Read one declaration file (`modulePath` like `apps/v1`, `meta/v1`, `runtime`). */
export function readDeclarations(modulePath: string, text: string): TypeDef[] {
  return new ModuleReader(modulePath, text).read();
}
