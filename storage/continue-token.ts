/**
 * @module storage/continue-token
 * Layer: storage. Continue tokens for paged lists, in the apiserver's shape: base64url of
 * {"v":"meta.k8s.io/v1","rv":<list revision>,"start":<next key, relative to the list prefix>}. Carrying the
 * revision is what makes every page come from the same snapshot.
 */
import { StorageError, StorageErrorCode } from './errors.js';

const TOKEN_VERSION = 'meta.k8s.io/v1';

export interface ContinuePosition {
  /** the snapshot revision every page is served from */
  revision: number;
  /** the absolute key to resume at (inclusive) */
  startKey: string;
}

export function encodeContinue(prefix: string, position: ContinuePosition): string {
  const start = position.startKey.slice(prefix.length);
  return Buffer.from(JSON.stringify({ v: TOKEN_VERSION, rv: position.revision, start })).toString('base64url');
}

export function decodeContinue(prefix: string, token: string): ContinuePosition {
  const invalid = (why: string) => new StorageError(StorageErrorCode.InvalidContinue, undefined, `continue key is not valid: ${why}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid('illegal base64 or JSON data');
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalid('not an object');
  const { v, rv, start } = parsed as { v?: unknown; rv?: unknown; start?: unknown };
  if (v !== TOKEN_VERSION) throw invalid(`server does not recognize this encoding (${String(v)})`);
  if (typeof rv !== 'number' || !Number.isSafeInteger(rv) || rv <= 0) throw invalid('incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  if (typeof start !== 'string' || start.length === 0) throw invalid('encoded start key is empty');
  // A start key must stay inside the list's prefix (upstream rejects path traversal the same way).
  if (start.startsWith('/') || start.split('/').includes('..')) throw invalid('encoded start key leaves the list prefix');
  return { revision: rv, startKey: prefix + start };
}
