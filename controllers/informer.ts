/**
 * @module controllers/informer
 * Layer: controllers. Shared informers (mirrors client-go's SharedIndexInformer): list, then watch from the
 * list's resourceVersion; an indexed cache (namespace/name plus any index a controller registers, e.g. pods by
 * node); add/update/delete handlers; hasSynced; a relist when the watch falls out of the history window. One
 * informer per resource, shared by every controller through the factory.
 */
import type { Client, ResourceRef } from '../server/api/client.js';
import type { KubeObject } from '../server/api/object.js';

export interface EventHandlers<T extends KubeObject> {
  add?(object: T): void;
  update?(old: T, object: T): void;
  delete?(object: T): void;
}

export type IndexFunction<T extends KubeObject> = (object: T) => readonly string[];

/** The cache key of an object: `namespace/name`, or `name` for cluster-scoped objects. */
export function keyOf(object: KubeObject): string {
  const { namespace, name } = object.metadata;
  return namespace ? `${namespace}/${name}` : (name as string);
}

export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { namespace: undefined, name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export class Informer<T extends KubeObject = KubeObject> {
  private readonly cache = new Map<string, T>();
  private readonly handlers: EventHandlers<T>[] = [];
  private readonly indexers = new Map<string, IndexFunction<T>>();
  private readonly indices = new Map<string, Map<string, Set<string>>>();
  private synced = false;
  private syncWaiters: (() => void)[] = [];
  private running: Promise<void> | undefined;
  private readonly stop = new AbortController();

  constructor(
    private readonly client: Client,
    readonly ref: ResourceRef,
  ) {}

  get hasSynced(): boolean {
    return this.synced;
  }

  addEventHandler(handlers: EventHandlers<T>): void {
    this.handlers.push(handlers);
    // A late subscriber still hears about everything already known, as client-go replays adds.
    if (this.synced) for (const object of this.cache.values()) handlers.add?.(object);
  }

  addIndex(name: string, index: IndexFunction<T>): void {
    if (this.indexers.has(name)) return;
    this.indexers.set(name, index);
    const values = new Map<string, Set<string>>();
    this.indices.set(name, values);
    for (const [key, object] of this.cache) for (const value of index(object)) this.indexAdd(values, value, key);
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.cache.get(namespace ? `${namespace}/${name}` : name);
  }

  getByKey(key: string): T | undefined {
    return this.cache.get(key);
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  byIndex(name: string, value: string): T[] {
    const keys = this.indices.get(name)?.get(value);
    if (!keys) return [];
    const out: T[] = [];
    for (const key of keys) {
      const object = this.cache.get(key);
      if (object) out.push(object);
    }
    return out;
  }

  get size(): number {
    return this.cache.size;
  }

  /** How many cached objects an index value holds (without listing them). */
  countByIndex(name: string, value: string): number {
    return this.indices.get(name)?.get(value)?.size ?? 0;
  }

  start(): void {
    this.running ??= this.run();
  }

  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  async shutdown(): Promise<void> {
    this.stop.abort();
    await this.running;
  }

  private indexAdd(values: Map<string, Set<string>>, value: string, key: string): void {
    let keys = values.get(value);
    if (!keys) {
      keys = new Set();
      values.set(value, keys);
    }
    keys.add(key);
  }

  private reindex(key: string, old: T | undefined, object: T | undefined): void {
    for (const [name, index] of this.indexers) {
      const values = this.indices.get(name) as Map<string, Set<string>>;
      if (old) for (const value of index(old)) values.get(value)?.delete(key);
      if (object) for (const value of index(object)) this.indexAdd(values, value, key);
    }
  }

  private put(object: T): void {
    const key = keyOf(object);
    const old = this.cache.get(key);
    this.cache.set(key, object);
    this.reindex(key, old, object);
    for (const handler of this.handlers) {
      if (old) handler.update?.(old, object);
      else handler.add?.(object);
    }
  }

  private remove(object: T): void {
    const key = keyOf(object);
    const old = this.cache.get(key);
    if (!old) return;
    this.cache.delete(key);
    this.reindex(key, old, undefined);
    for (const handler of this.handlers) handler.delete?.(object);
  }

  /** Make the cache equal a fresh list, telling handlers what changed. */
  private replace(items: T[]): void {
    const seen = new Set<string>();
    for (const object of items) {
      const key = keyOf(object);
      seen.add(key);
      if (this.cache.get(key)?.metadata.resourceVersion !== object.metadata.resourceVersion) this.put(object);
    }
    for (const [key, object] of [...this.cache]) if (!seen.has(key)) this.remove(object);
  }

  private async run(): Promise<void> {
    const stopped = new Promise<void>((resolve) => this.stop.signal.addEventListener('abort', () => resolve(), { once: true }));
    while (!this.stop.signal.aborted) {
      const listed = this.client.list<T>(this.ref, undefined);
      this.replace(listed.items);
      if (!this.synced) {
        this.synced = true;
        for (const resolve of this.syncWaiters.splice(0)) resolve();
      }
      const watch = this.client.watch<T>(this.ref, undefined, listed.resourceVersion);
      try {
        while (!this.stop.signal.aborted) {
          const events = watch.next(500);
          for (const event of events) {
            if (event.type === 'DELETED') this.remove(event.object);
            else this.put(event.object);
          }
          if (events.length > 0) {
            // Let other work run between large batches.
            await new Promise<void>((resolve) => setImmediate(resolve));
            continue;
          }
          if (watch.closed) break;
          await Promise.race([watch.wait(), stopped]);
        }
      } finally {
        watch.close();
      }
      // The watch ended (fell behind the window, or the store closed): relist unless stopping.
      if (!watch.expired) break;
    }
  }
}

/** One informer per resource, shared by every controller. */
export class InformerFactory {
  private readonly informers = new Map<string, Informer>();

  constructor(private readonly client: Client) {}

  informer<T extends KubeObject>(ref: ResourceRef): Informer<T> {
    const id = `${ref.group}/${ref.resource}`;
    let informer = this.informers.get(id);
    if (!informer) {
      informer = new Informer(this.client, ref);
      this.informers.set(id, informer);
    }
    return informer as unknown as Informer<T>;
  }

  start(): void {
    for (const informer of this.informers.values()) informer.start();
  }

  async waitForSync(): Promise<void> {
    await Promise.all([...this.informers.values()].map((informer) => informer.waitForSync()));
  }

  async shutdown(): Promise<void> {
    await Promise.all([...this.informers.values()].map((informer) => informer.shutdown()));
  }
}
