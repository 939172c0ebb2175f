/**
 * @module controllers/toolkit/hash
 * Layer: controllers (pure). Go's encoding/json for generic maps (keys sorted, HTML characters escaped) —
 * the bytes `kubectl rollout undo` compares with ControllerRevision data — and the template hash that names
 * ControllerRevisions and ReplicaSets (upstream ComputeHash's shape: FNV-32a over the template and the
 * collision count, its decimal digits mapped into the safe alphabet).
 */

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** A JSON string as Go writes it: HTML characters and line/paragraph separators escaped. */
function goString(text: string): string {
  return JSON.stringify(text).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** JSON with object keys sorted at every level and Go's string escaping — encoding/json on a generic map. */
export function goJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return goString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${keys.map((key) => `${goString(key)}:${goJson(record[key])}`).join(',')}}`;
}

/** FNV-32a. */
function fnv32a(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (const byte of bytes) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** The hash of a pod template (its canonical JSON) and an optional collision count. */
export function computeHash(template: unknown, collisionCount: number | undefined): string {
  const encoded = Buffer.from(goJson(template ?? {}));
  let bytes: Uint8Array = encoded;
  if (collisionCount !== undefined) {
    const suffix = Buffer.alloc(8);
    suffix.writeUInt32LE(collisionCount >>> 0, 0);
    bytes = Buffer.concat([encoded, suffix]);
  }
  return [...String(fnv32a(bytes))].map((c) => SAFE_ALPHABET[c.charCodeAt(0) % SAFE_ALPHABET.length]).join('');
}
