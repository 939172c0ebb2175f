/**
 * @module server/registry/in-process-client
 * Layer: registry. The Client controllers and fake kubelets use: every write goes through the same registry
 * pipeline as an HTTP request (defaults, validation, admission, managed fields), without HTTP or JSON
 * encoding. Objects read are the store's shared objects: callers must copy before changing them.
 */
import type { Client, ClientDeleteOptions, ClientWatch, ClientWatchEvent, ListOptions, ListResult, ResourceInfo, ResourceRef, WriteOptions } from '../api/client.js';
import { cloneJson } from '../api/equality.js';
import type { KubeObject } from '../api/object.js';
import { isStorageError, StorageErrorCode } from '../../storage/errors.js';
import type { Watcher } from '../../storage/types.js';
import type { DeleteOptionsBody, Registry, WriteOptions as RegistryWriteOptions } from './registry.js';
import { bindPod } from './binding.js';
import { evictPod } from './eviction.js';
import { storageKey, type Resource } from './resource.js';

class InProcessWatch<T extends KubeObject> implements ClientWatch<T> {
  constructor(
    private readonly watcher: Watcher,
    private readonly resource: Resource,
  ) {}

  next(max?: number): ClientWatchEvent<T>[] {
    return this.watcher.poll(max).map((event) => {
      const convert = (object: KubeObject) => (this.resource.storedAs ? this.resource.storedAs.fromStorage(cloneJson(object)) : object) as T;
      return { type: event.type, object: convert(event.object), old: event.prev ? convert(event.prev.object) : undefined };
    });
  }

  wait(): Promise<void> {
    return this.watcher.wait();
  }

  get closed(): boolean {
    return this.watcher.closed;
  }

  get expired(): boolean {
    return isStorageError(this.watcher.error, StorageErrorCode.RevisionTooOld);
  }

  close(): void {
    this.watcher.close();
  }
}

export class InProcessClient implements Client {
  constructor(
    private readonly registry: Registry,
    readonly name: string,
  ) {}

  private resource(ref: ResourceRef): Resource {
    return this.registry.resource(ref.group, ref.resource);
  }

  private options(options: WriteOptions = {}): RegistryWriteOptions {
    return { fieldManager: options.fieldManager ?? this.name, fieldValidation: 'Ignore', ...(options.dryRun && { dryRun: true }) };
  }

  resources(): ResourceInfo[] {
    return this.registry.catalogue.resources
      .filter((resource) => !resource.virtual && !resource.storedAs)
      .map((resource) => ({
        group: resource.group,
        version: resource.version,
        resource: resource.plural,
        kind: resource.kind,
        namespaced: resource.namespaced,
        verbs: resource.verbs,
      }));
  }

  get<T extends KubeObject>(ref: ResourceRef, namespace: string | undefined, name: string): T | undefined {
    const resource = this.resource(ref);
    const stored = this.registry.get(resource, resource.namespaced ? namespace : undefined, name);
    if (!stored) return undefined;
    return (resource.storedAs ? resource.storedAs.fromStorage(cloneJson(stored.object)) : stored.object) as T;
  }

  list<T extends KubeObject>(ref: ResourceRef, namespace: string | undefined, options: ListOptions = {}): ListResult<T> {
    const outcome = this.registry.query(this.resource(ref), namespace, options);
    return { items: outcome.items.map((item) => item.object as T), resourceVersion: String(outcome.revision) };
  }

  watch<T extends KubeObject>(ref: ResourceRef, namespace: string | undefined, resourceVersion: string): ClientWatch<T> {
    const resource = this.resource(ref);
    const watcher = this.registry.store.watch(storageKey(resource, resource.namespaced ? namespace : undefined), { fromRevision: Number(resourceVersion) });
    return new InProcessWatch<T>(watcher, resource);
  }

  async create<T extends KubeObject>(ref: ResourceRef, object: T, options?: WriteOptions): Promise<T> {
    const resource = this.resource(ref);
    const result = await this.registry.create(resource, object.metadata.namespace, cloneJson(object), this.options(options));
    return result.object as T;
  }

  async update<T extends KubeObject>(ref: ResourceRef, object: T, options: WriteOptions & { subresource?: string } = {}): Promise<T> {
    const resource = this.resource(ref);
    const result = await this.registry.update(resource, object.metadata.namespace, object.metadata.name as string, cloneJson(object), this.options(options), options.subresource);
    return result.object as T;
  }

  async updateStatus<T extends KubeObject>(ref: ResourceRef, object: T, options?: WriteOptions): Promise<T> {
    const resource = this.resource(ref);
    const result = await this.registry.update(resource, object.metadata.namespace, object.metadata.name as string, cloneJson(object), this.options(options), 'status');
    return result.object as T;
  }

  async patch<T extends KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    type: 'merge' | 'strategic' | 'json',
    patch: unknown,
    options: WriteOptions & { subresource?: string } = {},
  ): Promise<T> {
    const resource = this.resource(ref);
    const result = await this.registry.patch(resource, resource.namespaced ? namespace : undefined, name, type, cloneJson(patch), this.options(options), options.subresource);
    return result.object as T;
  }

  async delete(ref: ResourceRef, namespace: string | undefined, name: string, options: ClientDeleteOptions = {}): Promise<void> {
    const resource = this.resource(ref);
    await this.registry.delete(resource, resource.namespaced ? namespace : undefined, name, deleteOptionsBody(options), this.options(options));
  }

  async bindPod(namespace: string, name: string, nodeName: string): Promise<void> {
    await bindPod(this.registry, namespace, name, nodeName, this.options());
  }

  async evictPod(namespace: string, name: string, options: ClientDeleteOptions = {}): Promise<void> {
    await evictPod(this.registry, namespace, name, deleteOptionsBody(options), this.options(options));
  }

  async deleteCollection(ref: ResourceRef, namespace: string | undefined, options: ClientDeleteOptions & ListOptions = {}): Promise<void> {
    const resource = this.resource(ref);
    const query = { ...(options.labelSelector && { labelSelector: options.labelSelector }), ...(options.fieldSelector && { fieldSelector: options.fieldSelector }) };
    await this.registry.deleteCollection(resource, resource.namespaced ? namespace : undefined, query, deleteOptionsBody(options), this.options(options));
  }
}

function deleteOptionsBody(options: ClientDeleteOptions): DeleteOptionsBody {
  return {
    ...(options.preconditions && { preconditions: options.preconditions }),
    ...(options.propagationPolicy && { propagationPolicy: options.propagationPolicy }),
    ...(options.gracePeriodSeconds !== undefined && { gracePeriodSeconds: options.gracePeriodSeconds }),
  };
}
