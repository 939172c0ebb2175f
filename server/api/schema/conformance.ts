/**
 * @module server/api/schema/conformance
 * Layer: api (pure). Checks a decoded request body against the schema model the way the apiserver's decoder
 * does: the first JSON type mismatch (a decode error) and every unknown field (for fieldValidation
 * Strict/Warn), with upstream's field paths (`spec.template.spec.containers[0].foo`).
 */
import { isPlainObject } from '../object.js';
import type { TypeDef, TypeRef } from './declarations.js';
import type { SchemaModel } from './model.js';

export interface ConformanceReport {
  unknownFields: string[];
  /** `json: cannot unmarshal …` for the first value of the wrong JSON type */
  typeError?: string;
}

function jsonType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'object';
  return typeof value === 'boolean' ? 'bool' : typeof value;
}

function goType(type: TypeRef, model: SchemaModel): string {
  switch (type.kind) {
    case 'string':
    case 'literal':
      return 'string';
    case 'number':
      return 'int32';
    case 'boolean':
      return 'bool';
    case 'array':
      return `[]${goType(type.items, model)}`;
    case 'map':
      return `map[string]${goType(type.values, model)}`;
    case 'ref': {
      const def = model.get(type.name);
      if (def?.alias) return goType(def.alias, model);
      return `v1.${type.name.slice(type.name.lastIndexOf('.') + 1)}`;
    }
    default:
      return 'interface {}';
  }
}

class Walker {
  readonly unknownFields: string[] = [];
  typeError: string | undefined;

  constructor(
    private readonly model: SchemaModel,
    private readonly prune: boolean,
  ) {}

  /** Go's zero value of a type, which a JSON null inside a list or map becomes. */
  zero(type: TypeRef): unknown {
    const resolved = type.kind === 'ref' ? (this.model.get(type.name)?.alias ?? type) : type;
    switch (resolved.kind) {
      case 'string':
      case 'literal':
        return '';
      case 'number':
        return 0;
      case 'boolean':
        return false;
      case 'array':
        return [];
      default:
        return {};
    }
  }

  private mismatch(value: unknown, type: TypeRef, owner: string, path: string): void {
    this.typeError ??= `json: cannot unmarshal ${jsonType(value)} into Go struct field ${owner}.${path} of type ${goType(type, this.model)}`;
  }

  walk(type: TypeRef, value: unknown, path: string, owner: string): void {
    if (value === null || value === undefined) return;
    switch (type.kind) {
      case 'string':
      case 'literal':
        if (typeof value !== 'string') this.mismatch(value, type, owner, path);
        return;
      case 'number':
        if (typeof value !== 'number') this.mismatch(value, type, owner, path);
        return;
      case 'boolean':
        if (typeof value !== 'boolean') this.mismatch(value, type, owner, path);
        return;
      case 'intOrString':
        if (typeof value !== 'number' && typeof value !== 'string') this.mismatch(value, { kind: 'string' }, owner, path);
        return;
      case 'array':
        if (!Array.isArray(value)) return this.mismatch(value, type, owner, path);
        value.forEach((item, i) => {
          if (item === null) value[i] = this.zero(type.items);
          else this.walk(type.items, item, `${path}[${i}]`, owner);
        });
        return;
      case 'map':
        if (!isPlainObject(value)) return this.mismatch(value, type, owner, path);
        for (const [key, item] of Object.entries(value)) {
          if (item === null) value[key] = this.zero(type.values);
          else this.walk(type.values, item, `${path}[${key}]`, owner);
        }
        return;
      case 'ref':
        this.walkDefinition(this.model.get(type.name), value, path, type);
        return;
      default:
        return;
    }
  }

  walkDefinition(def: TypeDef | undefined, value: unknown, path: string, type: TypeRef): void {
    if (!def) return;
    if (def.alias) {
      // Quantity accepts numbers as well as strings; Time and the like are strings.
      if (def.name.endsWith('.Quantity') && typeof value === 'number') return;
      this.walk(def.alias, value, path, def.name.slice(def.name.lastIndexOf('.') + 1));
      return;
    }
    const properties = def.properties ?? {};
    const names = Object.keys(properties);
    // An empty definition (RawExtension, JSON…) holds anything.
    if (names.length === 0) return;
    if (!isPlainObject(value)) return this.mismatch(value, type, def.name.slice(def.name.lastIndexOf('.') + 1), path);
    const owner = def.name.slice(def.name.lastIndexOf('.') + 1);
    for (const [key, item] of Object.entries(value)) {
      const child = path ? `${path}.${key}` : key;
      const property = properties[key];
      // JSON null decodes to Go's zero value, which the API then omits: drop it.
      if (item === null && property) {
        delete value[key];
        continue;
      }
      if (!property) {
        this.unknownFields.push(child);
        if (this.prune) delete value[key];
      } else this.walk(property.type, item, child, owner);
    }
  }
}

/** Check a decoded object against the definition of its kind; with `prune`, unknown fields are removed. */
export function checkConformance(model: SchemaModel, def: TypeDef, value: unknown, options: { prune?: boolean } = {}): ConformanceReport {
  const walker = new Walker(model, options.prune ?? false);
  walker.walkDefinition(def, value, '', { kind: 'ref', name: def.name });
  return walker.typeError ? { unknownFields: walker.unknownFields, typeError: walker.typeError } : { unknownFields: walker.unknownFields };
}
