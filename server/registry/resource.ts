/**
 * @module server/registry/resource
 * Layer: registry. What one resource kind declares — once — and what every other part (routing, discovery,
 * OpenAPI, Table printing, field selectors, the write pipeline, informers) reads. Mirrors k8s.io/apiserver's
 * generic Store configured with a strategy object (PrepareForCreate, PrepareForUpdate, Validate…).
 */
import type { FieldError } from '../api/field-errors.js';
import type { KubeObject } from '../api/object.js';
import type { GroupResource } from '../api/status.js';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export const STANDARD_VERBS: readonly Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** What strategy hooks may use: the clock, and read access to other objects (e.g. for allocation). */
export interface StrategyContext {
  now: Date;
  /** the namespace of the request (namespaced kinds) */
  namespace: string | undefined;
  /** whether the object is being created (validate runs for creates and updates alike) */
  creating: boolean;
}

/** The per-kind hooks of the one write pipeline, named by phase as upstream's strategies are. */
export interface Strategy<T extends KubeObject = KubeObject> {
  /** SetDefaults_*: applied to every incoming object (create, update, patch result) */
  defaults?(object: T): void;
  /** e.g. clear status, set generation 1 */
  prepareForCreate?(object: T, context: StrategyContext): void;
  /** e.g. keep the old status, bump generation on spec changes */
  prepareForUpdate?(object: T, old: T, context: StrategyContext): void;
  validate?(object: T, context: StrategyContext): FieldError[];
  validateUpdate?(object: T, old: T, context: StrategyContext): FieldError[];
  /** PUT of an absent object creates it (upstream AllowCreateOnUpdate) */
  allowCreateOnUpdate?: boolean;
  /** PUT without metadata.resourceVersion overwrites (upstream AllowUnconditionalUpdate; default true) */
  allowUnconditionalUpdate?: boolean;
}

/** The status subresource's strategy: only status may change. */
export interface StatusStrategy<T extends KubeObject = KubeObject> {
  /** a create keeps the status it is given (upstream's node strategy: a kubelet registers with its status) */
  keepOnCreate?: boolean;
  /**
   * /status writes annotations too (upstream's deployment status strategy resets only spec and labels: the
   * controller records revisions in annotations through it)
   */
  keepsAnnotations?: boolean;
  prepareForUpdate?(object: T, old: T, context: StrategyContext): void;
  validateUpdate?(object: T, old: T, context: StrategyContext): FieldError[];
}

/** How /scale reads and writes replicas (autoscaling/v1 Scale). */
export interface ScaleAccess<T extends KubeObject = KubeObject> {
  specReplicas(object: T): number;
  setSpecReplicas(object: T, replicas: number): void;
  statusReplicas(object: T): number;
  /** the label selector string for status.selector */
  selector(object: T): string;
}

/** A subresource served by code of its own (log, exec, eviction, binding, finalize, token…). */
export interface SubresourceInfo {
  name: string;
  kind: string;
  group?: string;
  version?: string;
  verbs: Verb[];
}

export type CellValue = string | number | boolean;

export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  /** literal text, or [definition, field] whose documentation is the description */
  description: string | readonly [definition: string, field: string];
  /** 1 = shown only with -o wide (the server always sends every cell) */
  priority?: 0 | 1;
}

export interface TableRowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface TablePrinter<T extends KubeObject = KubeObject> {
  columns: readonly TableColumn[];
  cells(object: T, now: number): CellValue[];
  conditions?(object: T): TableRowCondition[] | undefined;
}

export interface ResourceDefinition<T extends KubeObject = KubeObject> {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames?: readonly string[];
  categories?: readonly string[];
  verbs?: readonly Verb[];
  /** a status subresource with its own strategy */
  status?: StatusStrategy<T> | true;
  scale?: ScaleAccess<T>;
  /** other subresources (served by dedicated handlers, or by the pipeline when listed in updateSubresources) */
  subresources?: readonly SubresourceInfo[];
  /**
   * Subresources written through the pipeline (like status): each builds the new object from the stored one
   * and the request, changing only what that subresource owns (namespaces/finalize, pods/ephemeralcontainers).
   */
  updateSubresources?: Readonly<Record<string, (requested: T, old: T) => T>>;
  /** metadata.name rule (default: DNS-1123 subdomain) */
  validateName?(name: string): string[];
  strategy?: Strategy<T>;
  table?: TablePrinter<T>;
  /** field selectors beyond metadata.name and metadata.namespace */
  fieldSelectors?: Readonly<Record<string, (object: T) => string>>;
  /** share another resource's storage (events.k8s.io/v1 events are core events) with a conversion */
  storedAs?: { group: string; plural: string; toStorage(object: T): KubeObject; fromStorage(object: KubeObject): T };
  /** kinds served only as POST-and-answer (reviews): nothing is stored */
  virtual?: (object: T, context: StrategyContext) => T;
  /** how DELETE treats this kind where it differs from the default (see deletion.ts) */
  deletion?: DeletionRules<T>;
}

/** The per-kind deletion facts upstream keeps in each store and strategy. */
export interface DeletionRules<T extends KubeObject = KubeObject> {
  /**
   * Graceful deletion (upstream CheckGracefulDelete; only pods): the grace period a DELETE gets, from the
   * requested one (if any) and the object.
   */
  gracePeriod?(object: T, requested: number | undefined): number;
  /** an immediate delete answers with the deleted object instead of a Status (upstream ReturnDeletedObject) */
  returnDeletedObject?: boolean;
  /** the propagation policy of a DELETE that names none (upstream DefaultGarbageCollectionPolicy); default Background */
  defaultPropagation?: 'Orphan';
  /** the Warning header sent when that default applied */
  defaultPropagationWarning?: string;
  /** something besides metadata.finalizers that holds a deleting object (namespaces: spec.finalizers) */
  holdsDeletion?(object: T): boolean;
  /** changes made when deletion starts (namespaces: phase Terminating); such kinds get no deletionGracePeriodSeconds */
  onDeletionStarted?(object: T): void;
}

/** A declared resource with the derived facts every consumer needs (its hooks erased to KubeObject). */
export interface Resource extends ResourceDefinition<KubeObject> {
  verbs: readonly Verb[];
  apiVersion: string;
  groupResource: GroupResource;
  /** the storage key prefix of the resource (namespaced kinds append `<ns>/`) */
  keyPrefix: string;
}

export function defineResource<T extends KubeObject>(declared: ResourceDefinition<T>): Resource {
  // The one place a kind's typed hooks are erased: the pipeline only ever hands a kind its own objects.
  const definition = declared as unknown as ResourceDefinition<KubeObject>;
  const apiVersion = definition.group ? `${definition.group}/${definition.version}` : definition.version;
  const stored = definition.storedAs ?? definition;
  return {
    ...definition,
    verbs: definition.verbs ?? STANDARD_VERBS,
    apiVersion,
    groupResource: { group: definition.group, resource: definition.plural },
    keyPrefix: `/registry/${stored.group ? `${stored.group}/` : ''}${stored.plural}/`,
  };
}

/** The storage key of one object; with `name` omitted, the prefix of a namespace (or of everything). */
export function storageKey(resource: Resource, namespace: string | undefined, name?: string): string {
  if (!resource.namespaced) return name === undefined ? resource.keyPrefix : resource.keyPrefix + name;
  if (namespace === undefined) return resource.keyPrefix;
  return `${resource.keyPrefix}${namespace}/${name ?? ''}`;
}
