/**
 * @module storage/key-index
 * Layer: storage. The ordered index of live keys (a B+ tree from sorted-btree), so prefix lists and
 * continue tokens walk keys in order without sorting.
 */
import { createRequire } from 'node:module';
import type { Version } from './version.js';

// sorted-btree is CommonJS with an `exports.default` class; require() resolves it the same way under Node and vitest.
const { default: BTree, simpleComparator } = createRequire(import.meta.url)('sorted-btree') as typeof import('sorted-btree');

/** The first key after every key that starts with `prefix`. */
export function prefixEnd(prefix: string): string {
  return prefix + '\uffff';
}

export class KeyIndex {
  private readonly tree = new BTree<string, Version>(undefined, simpleComparator);

  get size(): number {
    return this.tree.size;
  }

  get(key: string): Version | undefined {
    return this.tree.get(key);
  }

  has(key: string): boolean {
    return this.tree.has(key);
  }

  set(key: string, version: Version): void {
    this.tree.set(key, version);
  }

  delete(key: string): void {
    this.tree.delete(key);
  }

  /** Live versions with keys in [from, to), in key order. */
  *range(from: string, to: string): Generator<Version> {
    for (const [key, version] of this.tree.entries(from)) {
      if (key >= to) return;
      yield version;
    }
  }

  count(from: string, to: string): number {
    return this.tree.forRange(from, to, false);
  }
}
