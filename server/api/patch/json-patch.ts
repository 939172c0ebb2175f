/**
 * @module server/api/patch/json-patch
 * Layer: api (pure). JSON Patch (RFC 6902): add, remove, replace, move, copy, test, with JSON Pointer
 * (RFC 6901) paths. Failures are reported as PatchError (the API answers 422, as upstream does).
 */
import { deepEqual, cloneJson } from '../equality.js';
import { MAX_NESTING_DEPTH, nestingTooDeepMessage, valueDepth } from '../nesting.js';
import { isPlainObject } from '../object.js';

export class PatchError extends Error {
  override readonly name = 'PatchError';
}

/** Upstream's limit on the bytes the copies of one patch may duplicate, together. */
const MAX_COPY_BYTES = 3 * 1024 * 1024;

/** A value placed at a pointer must not make the document deeper than the nesting bound. */
function checkPlacement(pointer: string, value: unknown): void {
  const at = pointer === '' ? 0 : pointer.split('/').length - 1;
  if (at + valueDepth(value, MAX_NESTING_DEPTH - at) > MAX_NESTING_DEPTH) throw new PatchError(nestingTooDeepMessage());
}

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(`invalid JSON pointer "${pointer}": must start with "/"`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

type Container = Record<string, unknown> | unknown[];

/** Resolve all but the last token: the container the operation acts on, and the last token. */
function locate(doc: unknown, tokens: string[], pointer: string): { parent: Container; key: string } {
  let current = doc;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(current)) {
      const index = Number(token);
      if (!/^\d+$/.test(token) || index >= current.length) throw new PatchError(`doc is missing path: "${pointer}"`);
      current = current[index];
    } else if (isPlainObject(current)) {
      if (!(token in current)) throw new PatchError(`doc is missing path: "${pointer}"`);
      current = current[token];
    } else {
      throw new PatchError(`doc is missing path: "${pointer}"`);
    }
  }
  if (!Array.isArray(current) && !isPlainObject(current)) throw new PatchError(`doc is missing path: "${pointer}"`);
  return { parent: current, key: tokens[tokens.length - 1] as string };
}

function read(doc: unknown, pointer: string): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return doc;
  const { parent, key } = locate(doc, tokens, pointer);
  if (Array.isArray(parent)) {
    const index = Number(key);
    if (!/^\d+$/.test(key) || index >= parent.length) throw new PatchError(`doc is missing path: "${pointer}"`);
    return parent[index];
  }
  if (!(key in parent)) throw new PatchError(`doc is missing path: "${pointer}"`);
  return parent[key];
}

function add(doc: unknown, pointer: string, value: unknown): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  const { parent, key } = locate(doc, tokens, pointer);
  if (Array.isArray(parent)) {
    if (key === '-') parent.push(value);
    else {
      const index = Number(key);
      if (!/^\d+$/.test(key) || index > parent.length) throw new PatchError(`add operation does not apply: doc is missing path: "${pointer}"`);
      parent.splice(index, 0, value);
    }
  } else {
    parent[key] = value;
  }
  return doc;
}

function remove(doc: unknown, pointer: string): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) throw new PatchError('cannot remove the whole document');
  const { parent, key } = locate(doc, tokens, pointer);
  if (Array.isArray(parent)) {
    const index = Number(key);
    if (!/^\d+$/.test(key) || index >= parent.length) throw new PatchError(`remove operation does not apply: doc is missing path: "${pointer}"`);
    parent.splice(index, 1);
  } else {
    if (!(key in parent)) throw new PatchError(`remove operation does not apply: doc is missing path: "${pointer}"`);
    delete parent[key];
  }
  return doc;
}

export function applyJsonPatch(document: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) throw new PatchError('a JSON patch must be an array of operations');
  let doc = cloneJson(document);
  let copied = 0;
  for (const raw of patch) {
    if (!isPlainObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw new PatchError(`invalid JSON patch operation: ${JSON.stringify(raw)}`);
    }
    const op = raw as unknown as Operation;
    switch (op.op) {
      case 'add':
        if (!('value' in raw)) throw new PatchError('add operation requires a value');
        checkPlacement(op.path, op.value);
        doc = add(doc, op.path, cloneJson(op.value));
        break;
      case 'remove':
        doc = remove(doc, op.path);
        break;
      case 'replace':
        if (!('value' in raw)) throw new PatchError('replace operation requires a value');
        read(doc, op.path);
        checkPlacement(op.path, op.value);
        if (op.path === '') doc = cloneJson(op.value);
        else doc = add(remove(doc, op.path), op.path, cloneJson(op.value));
        break;
      case 'move': {
        if (typeof op.from !== 'string') throw new PatchError('move operation requires "from"');
        const value = read(doc, op.from);
        checkPlacement(op.path, value);
        doc = add(remove(doc, op.from), op.path, value);
        break;
      }
      case 'copy': {
        if (typeof op.from !== 'string') throw new PatchError('copy operation requires "from"');
        const value = read(doc, op.from);
        checkPlacement(op.path, value);
        copied += JSON.stringify(value).length;
        if (copied > MAX_COPY_BYTES) throw new PatchError(`copies would exceed the limit of ${MAX_COPY_BYTES} bytes`);
        doc = add(doc, op.path, cloneJson(value));
        break;
      }
      case 'test':
        if (!deepEqual(read(doc, op.path), op.value)) throw new PatchError(`testing value ${op.path} failed: test failed`);
        break;
      default:
        throw new PatchError(`Unexpected kind: ${op.op}`);
    }
  }
  return doc;
}
