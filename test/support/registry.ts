/**
 * @module test/support/registry
 * Layer: tests. An in-memory registry with the default catalogue, admission and bootstrap objects, and an
 * in-process client over it — the world controllers run in, without HTTP.
 */
import { openMemoryStore } from '../../storage/memory.js';
import type { VersionedStore } from '../../storage/store.js';
import { defaultAdmission } from '../../server/registry/admission/index.js';
import { bootstrap } from '../../server/registry/bootstrap.js';
import { Catalogue } from '../../server/registry/catalogue.js';
import { InProcessClient } from '../../server/registry/in-process-client.js';
import { Registry } from '../../server/registry/registry.js';
import { RESOURCES } from '../../server/registry/resources/index.js';

export interface TestWorld {
  store: VersionedStore;
  registry: Registry;
  client: InProcessClient;
  close(): Promise<void>;
}

export async function testWorld(options: { historyWindow?: number; clock?: () => Date } = {}): Promise<TestWorld> {
  const store = await openMemoryStore(options.historyWindow ? { historyWindow: options.historyWindow } : {});
  const registry = new Registry(store, new Catalogue(RESOURCES), { admission: defaultAdmission(), ...(options.clock && { clock: options.clock }) });
  await bootstrap(registry, { address: '127.0.0.1', port: 6443 });
  return { store, registry, client: new InProcessClient(registry, 'test'), close: () => store.close() };
}
