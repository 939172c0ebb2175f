/**
 * @module server/api/client
 * Layer: api (pure types). The client interface controllers program against (mirrors client-go's dynamic
 * client): typed by a resource reference, implemented in-process over the registry pipeline (same defaults,
 * validation and admission as HTTP, no HTTP or JSON round trip).
 */
import type { KubeObject } from './object.js';

/** Which resource: group ('' for core) and plural name. */
export interface ResourceRef {
  group: string;
  resource: string;
}

/** A served resource, as discovery describes it. */
export interface ResourceInfo extends ResourceRef {
  version: string;
  kind: string;
  namespaced: boolean;
  verbs: readonly string[];
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
}

export interface ListResult<T extends KubeObject> {
  items: T[];
  resourceVersion: string;
}

export interface WriteOptions {
  /** the field manager recorded in managedFields (defaults to the client's own name) */
  fieldManager?: string;
  dryRun?: boolean;
}

export interface ClientDeleteOptions extends WriteOptions {
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  gracePeriodSeconds?: number;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ClientWatchEvent<T extends KubeObject> {
  type: WatchEventType;
  object: T;
  /** the object before this change (absent for ADDED) */
  old: T | undefined;
}

/** A watch of one resource: pull events, or wait for more; `expired` once it fell out of the history window. */
export interface ClientWatch<T extends KubeObject> {
  next(max?: number): ClientWatchEvent<T>[];
  wait(): Promise<void>;
  readonly closed: boolean;
  /** true when the watch ended because it fell behind the history window: relist */
  readonly expired: boolean;
  close(): void;
}

export interface Client {
  /** the name this client records as field manager */
  readonly name: string;
  /** every resource with storage of its own (aliases such as events.k8s.io events are left out) */
  resources(): ResourceInfo[];
  get<T extends KubeObject>(ref: ResourceRef, namespace: string | undefined, name: string): T | undefined;
  list<T extends KubeObject>(ref: ResourceRef, namespace: string | undefined, options?: ListOptions): ListResult<T>;
  /** a watch of changes after `resourceVersion` */
  watch<T extends KubeObject>(ref: ResourceRef, namespace: string | undefined, resourceVersion: string): ClientWatch<T>;
  create<T extends KubeObject>(ref: ResourceRef, object: T, options?: WriteOptions): Promise<T>;
  /** a PUT of the main resource, or of a subresource written whole (namespaces/finalize) */
  update<T extends KubeObject>(ref: ResourceRef, object: T, options?: WriteOptions & { subresource?: string }): Promise<T>;
  updateStatus<T extends KubeObject>(ref: ResourceRef, object: T, options?: WriteOptions): Promise<T>;
  /** a JSON merge, strategic merge or JSON patch of the main resource or a subresource */
  patch<T extends KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    type: 'merge' | 'strategic' | 'json',
    patch: unknown,
    options?: WriteOptions & { subresource?: string },
  ): Promise<T>;
  delete(ref: ResourceRef, namespace: string | undefined, name: string, options?: ClientDeleteOptions): Promise<void>;
  /** pods/binding: assign a pod to a node (the scheduler's write) */
  bindPod(namespace: string, name: string, nodeName: string): Promise<void>;
  /** pods/eviction: delete a pod unless a PodDisruptionBudget forbids it (429) */
  evictPod(namespace: string, name: string, options?: ClientDeleteOptions): Promise<void>;
  /** delete every object of a resource in a namespace (or everywhere) that the selectors match */
  deleteCollection(ref: ResourceRef, namespace: string | undefined, options?: ClientDeleteOptions & ListOptions): Promise<void>;
}
