/**
 * @module storage/memory
 * Layer: storage. The in-memory backend (tests and `kubemu serve --memory`): the same store with no
 * durable log behind it.
 */
import { NoPersistence } from './persistence.js';
import { VersionedStore, type StoreOptions } from './store.js';

export function openMemoryStore(options: StoreOptions = {}): Promise<VersionedStore> {
  return VersionedStore.open(new NoPersistence(), options);
}
