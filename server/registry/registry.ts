/**
 * @module server/registry/registry
 * Layer: registry. The ONE pipeline every verb of every kind goes through — for HTTP requests and for the
 * in-process client of the controllers alike: decode checks → system metadata → defaults → strategy.prepare →
 * admission → validation → storage → storage errors translated (mirrors k8s.io/apiserver's
 * registry/generic/registry.Store).
 */
import { cloneJson, deepEqual } from '../api/equality.js';
import { field, invalidError, type FieldError } from '../api/field-errors.js';
import { isPlainObject, type KubeObject } from '../api/object.js';
import { ApiError, errors, StatusReason, type StatusDetails } from '../api/status.js';
import { rfc3339 } from '../api/time.js';
import { isStorageError, StorageErrorCode } from '../../storage/errors.js';
import type { Preconditions, Storage, StoredObject } from '../../storage/types.js';
import { AdmissionChain } from './admission/chain.js';
import type { AdmissionPlugin, AdmissionReader, AdmissionRelease, AdmissionRequest, Operation } from './admission/types.js';
import { decodeBody } from './decode.js';
import type { Catalogue } from './catalogue.js';
import { fromStorageError, MODIFIED_MESSAGE } from './errors.js';
import { generateName, newUid } from './names.js';
import { applyConfiguration, managerFromUserAgent, trackUpdate } from './managed-fields.js';
import { applyPatch, type PatchType } from './patch.js';
import { listRevision, selection } from './query.js';
import { storageKey, type Resource, type StrategyContext, type Verb } from './resource.js';
import { validateAnnotations, validateObjectMeta, validateObjectMetaUpdate } from './validation/object-meta.js';
import { deletionRequest, planDeletion, removedByUpdate } from './deletion.js';
import { isDNS1123Subdomain } from '../api/names.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  /** how unknown fields in a body are treated; in-process callers default to Ignore */
  fieldValidation?: FieldValidation;
  /** receives the texts of `Warning` headers */
  warnings?: string[];
  /** apply patches: take ownership of conflicting fields */
  force?: boolean;
  /** names the field manager when fieldManager is absent (its product token, as upstream) */
  userAgent?: string;
}

/** An object as read or written: its JSON bytes when they can be served unchanged. */
export interface Readable {
  object: KubeObject;
  bytes: Buffer | undefined;
}

export interface WriteResult extends Readable {
  code: 200 | 201 | 202;
}

export interface ListQuery {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface ListOutcome {
  items: Readable[];
  revision: number;
  continue?: string;
  remainingItemCount?: number;
}

export interface DeleteOptionsBody {
  gracePeriodSeconds?: number | null;
  preconditions?: { uid?: string | null; resourceVersion?: string | null } | null;
  propagationPolicy?: string | null;
  orphanDependents?: boolean | null;
  dryRun?: string[] | null;
}

export interface RegistryOptions {
  clock?: () => Date;
  admission?: readonly AdmissionPlugin[];
}

/** Thrown inside an update callback when removing the last finalizer must delete the object instead. */
class DeleteInstead {
  constructor(
    readonly revision: string,
    /** what the update would have written: the answer to the PUT or PATCH */
    readonly answer?: KubeObject,
  ) {}
}

/** Thrown inside a DELETE's update when a concurrent DELETE already did what this one would. */
class AlreadyDeleting {}

export class Registry implements AdmissionReader {
  private readonly clock: () => Date;
  private readonly chain: AdmissionChain;

  constructor(
    readonly store: Storage,
    readonly catalogue: Catalogue,
    options: RegistryOptions = {},
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.chain = new AdmissionChain(options.admission ?? [], this);
  }

  now(): Date {
    return this.clock();
  }

  // ---------------------------------------------------------------- reads

  resource(group: string, plural: string): Resource {
    return this.catalogue.get(group, plural);
  }

  /** The stored object, or undefined (no error) — for admission plugins and controllers. */
  getStored(resource: Resource, namespace: string | undefined, name: string): StoredObject | undefined {
    return this.store.get(storageKey(resource, namespace, name));
  }

  get(resource: Resource, namespace: string | undefined, name: string): StoredObject | undefined {
    return this.getStored(resource, namespace, name);
  }

  list(resource: Resource, namespace: string | undefined): readonly StoredObject[] {
    return this.store.list(storageKey(resource, namespace)).items;
  }

  read(resource: Resource, namespace: string | undefined, name: string): Readable {
    this.requireVerb(resource, 'get');
    const stored = this.getStored(resource, namespace, name);
    if (!stored) throw errors.notFound(resource.groupResource, name);
    return this.readable(resource, stored);
  }

  query(resource: Resource, namespace: string | undefined, query: ListQuery = {}): ListOutcome {
    this.requireVerb(resource, 'list');
    const { predicate } = selection(resource, query.labelSelector, query.fieldSelector);
    const revision = listRevision(query);
    const filter = resource.storedAs && predicate ? (o: KubeObject) => predicate(this.fromStorage(resource, o)) : predicate;
    try {
      const result = this.store.list(storageKey(resource, namespace), {
        ...(query.limit !== undefined && { limit: query.limit }),
        ...(query.continue && { continue: query.continue }),
        ...(revision !== undefined && { revision }),
        ...(filter && { filter }),
      });
      const outcome: ListOutcome = { items: result.items.map((item) => this.readable(resource, item)), revision: result.revision };
      if (result.continue) outcome.continue = result.continue;
      if (result.remainingItemCount !== undefined) outcome.remainingItemCount = result.remainingItemCount;
      return outcome;
    } catch (err) {
      throw fromStorageError(err, resource.groupResource, '', Boolean(query.continue));
    }
  }

  // ---------------------------------------------------------------- create

  async create(resource: Resource, namespace: string | undefined, body: unknown, options: WriteOptions = {}): Promise<WriteResult> {
    this.requireVerb(resource, 'create');
    const object = decodeBody(resource, body, options);
    return this.createObject(resource, namespace, object, options, true);
  }

  /** Create a decoded object; `track` records the writer's fields (apply has recorded its own already). */
  private async createObject(resource: Resource, namespace: string | undefined, object: KubeObject, options: WriteOptions, track: boolean): Promise<WriteResult> {
    const context = this.context(namespace, true);
    if (resource.virtual) return { object: resource.virtual(object, context), bytes: undefined, code: 201 };
    // Decided before admission names the object: a generated name that collides is drawn again.
    const generated = !object.metadata.name && Boolean(object.metadata.generateName);
    const release = this.prepareCreate(resource, namespace, object, context, options);
    try {
      if (track) trackUpdate(resource, undefined, object, this.managerOf(options), undefined, context.now);
      if (options.dryRun) return { object: this.fromStorage(resource, object), bytes: undefined, code: 201 };
      return await this.storeNew(resource, namespace, object, generated);
    } finally {
      release();
    }
  }

  /** Store a prepared object; a generated name that collides is drawn again (as upstream retries). */
  private async storeNew(resource: Resource, namespace: string | undefined, object: KubeObject, generated: boolean): Promise<WriteResult> {
    for (let attempt = 0; ; attempt++) {
      if (generated && attempt > 0) object.metadata.name = generateName(object.metadata.generateName as string);
      try {
        const stored = await this.store.create(storageKey(resource, namespace, object.metadata.name), this.toStorage(resource, object));
        return { ...this.readable(resource, stored), code: 201 };
      } catch (err) {
        if (generated && attempt < 8 && isStorageError(err, StorageErrorCode.KeyExists)) continue;
        if (generated && isStorageError(err, StorageErrorCode.KeyExists)) {
          throw new ApiError(
            409,
            StatusReason.AlreadyExists,
            `${qualifiedResource(resource)} "${object.metadata.name}" already exists, the server was not able to generate a unique name for the object`,
            { ...details(resource, object.metadata.name as string), retryAfterSeconds: 1 },
          );
        }
        throw fromStorageError(err, resource.groupResource, object.metadata.name ?? '');
      }
    }
  }

  /**
   * Everything create does before storage: system metadata, defaults, strategy, admission, validation.
   * Returns the release of what admission holds for the write until it is stored (or fails).
   */
  private prepareCreate(resource: Resource, namespace: string | undefined, object: KubeObject, context: StrategyContext, options: WriteOptions): AdmissionRelease {
    const meta = object.metadata;
    this.placeInNamespace(resource, namespace, object);
    if (meta.resourceVersion) throw errors.badRequest('resourceVersion should not be set on objects to be created');
    if (!meta.name && meta.generateName) meta.name = generateName(meta.generateName);
    meta.uid = newUid();
    meta.creationTimestamp = rfc3339(context.now);
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.selfLink;
    resource.strategy?.defaults?.(object);
    if (resource.status && !(typeof resource.status === 'object' && resource.status.keepOnCreate)) delete object.status;
    resource.strategy?.prepareForCreate?.(object, context);
    dropEmptyMetadata(meta);
    this.chain.admit(this.admissionRequest('CREATE', resource, undefined, namespace, object, undefined, options, context));
    const problems = [
      ...validateObjectMeta(meta, { namespaced: resource.namespaced, validateName: resource.validateName ?? isDNS1123Subdomain }),
      ...(resource.strategy?.validate?.(object, context) ?? []),
    ];
    this.rejectInvalid(resource, object, problems);
    return this.chain.validate(this.admissionRequest('CREATE', resource, undefined, namespace, object, undefined, options, context));
  }

  // ---------------------------------------------------------------- update (PUT)

  async update(
    resource: Resource,
    namespace: string | undefined,
    name: string,
    body: unknown,
    options: WriteOptions = {},
    subresource?: string,
  ): Promise<WriteResult> {
    this.requireVerb(resource, 'update');
    const input = decodeBody(resource, body, options);
    if (input.metadata.name && input.metadata.name !== name) {
      throw errors.badRequest(`the name of the object (${input.metadata.name}) does not match the name on the URL (${name})`);
    }
    input.metadata.name = name;
    if (resource.namespaced && input.metadata.namespace && input.metadata.namespace !== namespace) {
      throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    const wantedVersion = preconditionVersion(input.metadata.resourceVersion);
    return this.write(resource, namespace, name, options, subresource, (current) => {
      if (wantedVersion && wantedVersion !== current.metadata.resourceVersion) throw errors.conflict(resource.groupResource, name, MODIFIED_MESSAGE);
      if (!wantedVersion && resource.strategy?.allowUnconditionalUpdate === false) {
        throw invalidError(resource, name, [field.invalid('metadata.resourceVersion', '', 'must be specified for an update')]);
      }
      // Each attempt starts from a fresh copy (the pipeline changes what it is given); /status reads only the status.
      return subresource === 'status' ? { ...input, status: cloneJson(input.status) } : cloneJson(input);
    }, resource.strategy?.allowCreateOnUpdate && !subresource ? () => this.createObject(resource, namespace, cloneJson(input), options, true) : undefined);
  }

  // ---------------------------------------------------------------- patch

  async patch(
    resource: Resource,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
    options: WriteOptions = {},
    subresource?: string,
  ): Promise<WriteResult> {
    this.requireVerb(resource, 'patch');
    if (type === 'apply') return this.apply(resource, namespace, name, patch, options, subresource);
    return this.write(
      resource,
      namespace,
      name,
      options,
      subresource,
      (current) => {
        const patched = applyPatch(type, this.fromStorage(resource, current), patch, resource);
        const object = decodeBody(resource, patched, options);
        const wanted = preconditionVersion(object.metadata.resourceVersion);
        if (wanted && wanted !== current.metadata.resourceVersion) throw errors.conflict(resource.groupResource, name, MODIFIED_MESSAGE);
        return object;
      },
      undefined,
    );
  }

  /** Server-side apply: merge the applied configuration, record ownership, create the object if absent. */
  private async apply(resource: Resource, namespace: string | undefined, name: string, body: unknown, options: WriteOptions, subresource: string | undefined): Promise<WriteResult> {
    const manager = options.fieldManager;
    if (!manager) throw errors.badRequest('PATCH requests with apply patch type must have a fieldManager');
    if (!isPlainObject(body)) throw errors.badRequest('an apply patch must be a YAML or JSON object');
    const config = decodeBody(resource, cloneJson(body), options);
    if (config.metadata.managedFields !== undefined) throw errors.badRequest('metadata.managedFields must be nil');
    if (config.metadata.name && config.metadata.name !== name) {
      throw errors.badRequest(`the name of the object (${config.metadata.name}) does not match the name on the URL (${name})`);
    }
    config.metadata.name = name;
    const force = Boolean(options.force);
    const create = async (): Promise<WriteResult> => {
      const object = applyConfiguration(resource, undefined, config, manager, force, this.clock());
      return this.createObject(resource, namespace, object, options, false);
    };
    return this.write(
      resource,
      namespace,
      name,
      options,
      subresource,
      (current) => {
        const object = applyConfiguration(resource, this.fromStorage(resource, current), config, manager, force, this.clock());
        const wanted = preconditionVersion(config.metadata.resourceVersion);
        if (wanted && wanted !== current.metadata.resourceVersion) throw errors.conflict(resource.groupResource, name, MODIFIED_MESSAGE);
        return object;
      },
      subresource ? undefined : create,
      false,
    );
  }

  /** Update an object by a function of its current state (/scale, pods/binding and controllers use it). */
  async transform(
    resource: Resource,
    namespace: string | undefined,
    name: string,
    options: WriteOptions,
    produce: (current: KubeObject) => KubeObject,
    subresource?: string,
  ): Promise<WriteResult> {
    this.requireVerb(resource, 'update');
    return this.write(resource, namespace, name, options, subresource, (current) => produce(this.fromStorage(resource, current)), undefined);
  }

  /**
   * The shared body of PUT and PATCH: run `produce` on the current object inside the storage CAS loop, then the
   * update strategy, admission and validation. `createWith` makes an absent object be created instead.
   */
  private async write(
    resource: Resource,
    namespace: string | undefined,
    name: string,
    options: WriteOptions,
    subresource: string | undefined,
    produce: (current: KubeObject) => KubeObject,
    createInstead: (() => Promise<WriteResult>) | undefined,
    track = true,
  ): Promise<WriteResult> {
    const key = storageKey(resource, namespace, name);
    const context = this.context(namespace);
    const next = (current: KubeObject): KubeObject => {
      const produced = produce(current);
      return this.prepareUpdate(resource, namespace, current, produced, context, options, subresource, track);
    };
    if (options.dryRun) {
      const current = this.store.get(key);
      if (!current) {
        if (createInstead === undefined) throw errors.notFound(resource.groupResource, name);
        return createInstead();
      }
      return { object: this.fromStorage(resource, next(current.object)), bytes: undefined, code: 200 };
    }
    try {
      const stored = await this.store.guaranteedUpdate(key, (current) => {
        if (!current) throw errors.notFound(resource.groupResource, name);
        return this.toStorage(resource, next(current.object));
      });
      return { ...this.readable(resource, stored), code: 200 };
    } catch (err) {
      if (err instanceof DeleteInstead) return this.finishDeletion(resource, namespace, name, err);
      if (createInstead !== undefined && (isStorageError(err, StorageErrorCode.KeyNotFound) || (err instanceof ApiError && err.code === 404 && !this.store.get(key)))) {
        return createInstead();
      }
      throw fromStorageError(err, resource.groupResource, name);
    }
  }

  private prepareUpdate(
    resource: Resource,
    namespace: string | undefined,
    currentStored: KubeObject,
    produced: KubeObject,
    context: StrategyContext,
    options: WriteOptions,
    subresource: string | undefined,
    track: boolean,
  ): KubeObject {
    const old = this.fromStorage(resource, currentStored);
    const name = old.metadata.name as string;
    let object: KubeObject;
    if (subresource === 'status') {
      // Only status changes through /status: spec and metadata come from the stored object. Stored objects are
      // never changed in place, so the new version shares them; the pipeline only sets metadata's own fields.
      object = { ...old, metadata: { ...old.metadata } };
      if ('status' in produced) object.status = produced.status;
      else delete object.status;
      if (typeof resource.status === 'object') {
        if (resource.status.keepsAnnotations) {
          if (produced.metadata.annotations) object.metadata.annotations = produced.metadata.annotations;
          else delete object.metadata.annotations;
        }
        resource.status.prepareForUpdate?.(object, old, context);
      }
    } else if (subresource) {
      const update = resource.updateSubresources?.[subresource];
      if (!update) throw errors.pathNotFound();
      object = update(produced, old);
    } else {
      object = produced;
      this.placeInNamespace(resource, namespace, object);
      const meta = object.metadata;
      const oldMeta = old.metadata;
      meta.uid = oldMeta.uid;
      meta.creationTimestamp = oldMeta.creationTimestamp;
      copyOptional(meta, oldMeta, 'deletionTimestamp');
      copyOptional(meta, oldMeta, 'deletionGracePeriodSeconds');
      copyOptional(meta, oldMeta, 'generation');
      delete meta.selfLink;
      if (meta.managedFields === undefined && oldMeta.managedFields) meta.managedFields = cloneJson(oldMeta.managedFields);
      if (!meta.generateName && oldMeta.generateName) meta.generateName = oldMeta.generateName;
      resource.strategy?.defaults?.(object);
      if (resource.status) {
        if ('status' in old) object.status = cloneJson(old.status);
        else delete object.status;
      }
      if (meta.generation !== undefined && !deepEqual(object.spec, old.spec)) meta.generation = (oldMeta.generation ?? 0) + 1;
      resource.strategy?.prepareForUpdate?.(object, old, context);
    }
    dropEmptyMetadata(object.metadata);
    this.chain.admit(this.admissionRequest('UPDATE', resource, subresource, namespace, object, old, options, context));
    const rules = { namespaced: resource.namespaced, validateName: resource.validateName ?? isDNS1123Subdomain };
    let problems: FieldError[];
    if (subresource === 'status') {
      problems = typeof resource.status === 'object' ? (resource.status.validateUpdate?.(object, old, context) ?? []) : [];
      if (typeof resource.status === 'object' && resource.status.keepsAnnotations) problems.push(...validateAnnotations(object.metadata.annotations, 'metadata.annotations'));
    } else {
      problems = [...validateObjectMetaUpdate(object.metadata, old.metadata, rules), ...(resource.strategy?.validate?.(object, context) ?? [])];
      // A subresource changes only what it owns; the main resource's update rules do not apply to it.
      if (!subresource) for (const problem of resource.strategy?.validateUpdate?.(object, old, context) ?? []) problems.push(problem);
    }
    this.rejectInvalid(resource, object, problems);
    // Plugins hold something only for creates (quota charges); nothing to keep past an update's check.
    this.chain.validate(this.admissionRequest('UPDATE', resource, subresource, namespace, object, old, options, context))();
    if (track) trackUpdate(resource, old, object, this.managerOf(options), subresource, context.now);
    // Removing the last finalizer of an object being deleted completes the deletion.
    if (!options.dryRun && removedByUpdate(old, object, resource.deletion ?? {})) {
      throw new DeleteInstead(currentStored.metadata.resourceVersion as string, object);
    }
    object.metadata.name = name;
    return object;
  }

  // ---------------------------------------------------------------- delete

  async delete(
    resource: Resource,
    namespace: string | undefined,
    name: string,
    deleteOptions: DeleteOptionsBody = {},
    options: WriteOptions = {},
  ): Promise<WriteResult> {
    this.requireVerb(resource, 'delete');
    const key = storageKey(resource, namespace, name);
    const request = deletionRequest(deleteOptions);
    const rules = resource.deletion ?? {};
    if (rules.defaultPropagationWarning && request.propagationPolicy === undefined && request.orphanDependents === undefined) {
      options.warnings?.push(rules.defaultPropagationWarning);
    }
    const preconditions = toPreconditions(deleteOptions);
    const current = this.store.get(key);
    if (!current) throw errors.notFound(resource.groupResource, name);
    checkPreconditions(resource, name, current.object, preconditions);
    const dryRun = options.dryRun || (deleteOptions.dryRun ?? []).includes('All');
    const context = this.context(namespace);
    this.chain.validate(this.admissionRequest('DELETE', resource, undefined, namespace, undefined, current.object, { ...options, dryRun }, context))();
    // Upstream answers 202 only for the deprecated orphanDependents=false on an object that stays.
    const stayedCode = request.orphanDependents === false ? 202 : 200;
    const plan = planDeletion(current.object, request, rules, context.now);
    if (plan.action === 'pending') return { ...this.readable(resource, current), code: stayedCode };
    if (dryRun) {
      if (plan.action === 'update' && !plan.thenDelete) return { object: this.fromStorage(resource, plan.object), bytes: undefined, code: stayedCode };
      return { ...this.deletedResponse(resource, plan.action === 'update' ? plan.object : current.object), code: 200 };
    }
    try {
      let removeAt = preconditions;
      if (plan.action === 'update') {
        let stayed: StoredObject | undefined;
        const updated = await this.store.guaranteedUpdate(key, (existing) => {
          if (!existing) throw errors.notFound(resource.groupResource, name);
          // Decide again on the freshest version: another DELETE may have got there first.
          const again = existing.object === current.object ? plan : planDeletion(existing.object, request, rules, context.now);
          if (again.action === 'pending') throw new AlreadyDeleting();
          if (again.action === 'delete') throw new DeleteInstead(existing.object.metadata.resourceVersion as string);
          if (again.thenDelete !== plan.thenDelete) throw new AlreadyDeleting();
          return again.object;
        }, preconditions ? { preconditions } : {}).catch((err: unknown) => {
          if (err instanceof AlreadyDeleting) {
            stayed = this.store.get(key);
            if (stayed) return stayed;
            throw errors.notFound(resource.groupResource, name);
          }
          throw err;
        });
        if (stayed || !plan.thenDelete) return { ...this.readable(resource, updated), code: stayedCode };
        // The marked object goes now. Its kubelet may write it (or remove it) meanwhile, as upstream allows: only
        // the caller's own preconditions hold, and an object already gone counts as deleted.
        removeAt = preconditions?.resourceVersion ? { ...preconditions, resourceVersion: updated.object.metadata.resourceVersion as string } : preconditions;
        const gone = await this.store.delete(key, removeAt ? { preconditions: removeAt } : {}).catch((err: unknown) => {
          if (isStorageError(err, StorageErrorCode.KeyNotFound)) return updated;
          throw err;
        });
        return { ...this.deletedResponse(resource, gone.object), code: 200 };
      }
      const gone = await this.store.delete(key, removeAt ? { preconditions: removeAt } : {});
      return { ...this.deletedResponse(resource, gone.object), code: 200 };
    } catch (err) {
      if (err instanceof DeleteInstead) {
        const gone = await this.store.delete(key, { preconditions: { resourceVersion: err.revision } }).catch((e: unknown) => {
          throw fromStorageError(e, resource.groupResource, name);
        });
        return { ...this.deletedResponse(resource, gone.object), code: 200 };
      }
      throw fromStorageError(err, resource.groupResource, name);
    }
  }

  async deleteCollection(
    resource: Resource,
    namespace: string | undefined,
    query: ListQuery,
    deleteOptions: DeleteOptionsBody = {},
    options: WriteOptions = {},
  ): Promise<Readable[]> {
    this.requireVerb(resource, 'deletecollection');
    const { items } = this.query(resource, namespace, { ...query, limit: 0 });
    const deleted: Readable[] = [];
    for (const item of items) {
      const meta = item.object.metadata;
      try {
        await this.delete(resource, meta.namespace, meta.name as string, deleteOptions, options);
        deleted.push(item);
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 404)) throw err;
      }
    }
    return deleted;
  }

  /** Complete a deletion an update triggered; the update's answer is the object it would have written. */
  private async finishDeletion(resource: Resource, namespace: string | undefined, name: string, instead: DeleteInstead): Promise<WriteResult> {
    try {
      const gone = await this.store.delete(storageKey(resource, namespace, name), { preconditions: { resourceVersion: instead.revision } });
      return { object: instead.answer ?? this.fromStorage(resource, gone.object), bytes: undefined, code: 200 };
    } catch (err) {
      throw fromStorageError(err, resource.groupResource, name);
    }
  }

  /** The DELETE answer for an immediate delete: the object for some kinds, else a success Status naming it. */
  private deletedResponse(resource: Resource, object: KubeObject): Readable {
    if (resource.deletion?.returnDeletedObject) return { object: this.fromStorage(resource, object), bytes: undefined };
    const status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { ...details(resource, object.metadata.name as string), uid: object.metadata.uid },
    };
    return { object: status as unknown as KubeObject, bytes: undefined };
  }

  // ---------------------------------------------------------------- helpers

  private requireVerb(resource: Resource, verb: Verb): void {
    if (!resource.verbs.includes(verb)) {
      throw errors.methodNotAllowed(`${verb} is not supported on resources of kind "${resource.plural}${resource.group ? `.${resource.group}` : ''}"`);
    }
  }

  private managerOf(options: WriteOptions): string {
    return options.fieldManager || managerFromUserAgent(options.userAgent);
  }

  private context(namespace: string | undefined, creating = false): StrategyContext {
    return { now: this.clock(), namespace, creating };
  }

  private placeInNamespace(resource: Resource, namespace: string | undefined, object: KubeObject): void {
    const meta = object.metadata;
    if (resource.namespaced) {
      if (meta.namespace && meta.namespace !== namespace) {
        throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      if (namespace) meta.namespace = namespace;
    } else {
      delete meta.namespace;
    }
  }

  private rejectInvalid(resource: Resource, object: KubeObject, problems: FieldError[]): void {
    if (problems.length > 0) throw invalidError(resource, object.metadata.name ?? object.metadata.generateName ?? '', problems);
  }

  private admissionRequest(
    operation: Operation,
    resource: Resource,
    subresource: string | undefined,
    namespace: string | undefined,
    object: KubeObject | undefined,
    old: KubeObject | undefined,
    options: WriteOptions,
    context: StrategyContext,
  ): AdmissionRequest {
    const name = object?.metadata.name ?? object?.metadata.generateName ?? old?.metadata.name ?? '';
    return { operation, resource, subresource, namespace, name, object, old, dryRun: Boolean(options.dryRun), now: context.now };
  }

  private toStorage(resource: Resource, object: KubeObject): KubeObject {
    return resource.storedAs ? resource.storedAs.toStorage(object) : object;
  }

  private fromStorage(resource: Resource, object: KubeObject): KubeObject {
    return resource.storedAs ? resource.storedAs.fromStorage(cloneJson(object)) : object;
  }

  private readable(resource: Resource, stored: StoredObject): Readable {
    if (resource.storedAs) return { object: this.fromStorage(resource, stored.object), bytes: undefined };
    return { object: stored.object, bytes: stored.bytes };
  }
}

function toPreconditions(options: DeleteOptionsBody): Preconditions | undefined {
  const given = options.preconditions;
  if (!given) return undefined;
  const preconditions: Preconditions = {};
  if (given.uid) preconditions.uid = given.uid;
  if (given.resourceVersion) preconditions.resourceVersion = given.resourceVersion;
  return Object.keys(preconditions).length > 0 ? preconditions : undefined;
}

function checkPreconditions(resource: Resource, name: string, object: KubeObject, preconditions: Preconditions | undefined): void {
  if (!preconditions) return;
  const meta = object.metadata;
  if (preconditions.uid !== undefined && preconditions.uid !== meta.uid) {
    throw errors.conflict(resource.groupResource, name, `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${meta.uid ?? ''}`);
  }
  if (preconditions.resourceVersion !== undefined && preconditions.resourceVersion !== meta.resourceVersion) {
    throw errors.conflict(
      resource.groupResource,
      name,
      `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion ?? ''}`,
    );
  }
}

/** Go omits empty metadata collections (omitempty): a patch that empties one leaves no trace of it. */
function dropEmptyMetadata(meta: KubeObject['metadata']): void {
  for (const key of ['labels', 'annotations'] as const) if (meta[key] && Object.keys(meta[key]).length === 0) delete meta[key];
  for (const key of ['finalizers', 'ownerReferences', 'managedFields'] as const) if (meta[key]?.length === 0) delete meta[key];
}

function copyOptional<K extends 'deletionTimestamp' | 'deletionGracePeriodSeconds' | 'generation'>(
  target: KubeObject['metadata'],
  source: KubeObject['metadata'],
  key: K,
): void {
  if (source[key] === undefined) delete target[key];
  else target[key] = source[key];
}

function qualifiedResource(resource: Resource): string {
  return resource.group ? `${resource.plural}.${resource.group}` : resource.plural;
}

function details(resource: Resource, name: string): StatusDetails {
  return { name, ...(resource.group && { group: resource.group }), kind: resource.plural };
}

/**
 * The resourceVersion a write is conditional on, or undefined: as kube-apiserver parses it, "0" (like an
 * empty one) means no precondition.
 */
function preconditionVersion(resourceVersion: string | undefined): string | undefined {
  return resourceVersion && resourceVersion !== '0' ? resourceVersion : undefined;
}
