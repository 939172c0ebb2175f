/**
 * @module controllers/garbage-collector/garbage-collector
 * Layer: controllers. Mirrors kube-controller-manager's garbage collector: it watches every resource, keeps
 * the ownership graph, and (1) deletes dependents whose owners are all gone (Background), (2) finishes
 * foreground deletions — dependents first, then the owner's `foregroundDeletion` finalizer once no dependent
 * blocks it — and (3) orphans: strips the owner's reference from its dependents, then the `orphan` finalizer.
 * Owner absence is always confirmed by a live lookup by name and uid, never inferred from the cache alone.
 */
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { ClientDeleteOptions, ResourceInfo } from '../../server/api/client.js';
import type { KubeObject } from '../../server/api/object.js';
import { isConflict, isNotFound } from '../../server/api/status.js';
import { Controller } from '../controller.js';
import type { ControllerContext } from '../manager.js';
import { diffOwners, KindIndex, OwnershipGraph, type GraphNode, type ObjectIdentity } from './graph.js';

const ORPHAN = 'orphan';
const FOREGROUND = 'foregroundDeletion';
const ABSENT_CACHE_SIZE = 4096;

/** Resources the collector watches: everything deletable and watchable except events (as upstream). */
export function collectedResources(resources: readonly ResourceInfo[]): ResourceInfo[] {
  return resources.filter(
    (info) => ['delete', 'list', 'watch'].every((verb) => info.verbs.includes(verb)) && !(info.group === '' && info.resource === 'events'),
  );
}

function identityOf(info: ResourceInfo, object: KubeObject): ObjectIdentity {
  return {
    uid: object.metadata.uid as string,
    apiVersion: info.group ? `${info.group}/${info.version}` : info.version,
    kind: info.kind,
    namespace: info.namespaced ? object.metadata.namespace : undefined,
    name: object.metadata.name as string,
  };
}

type Owners = { solid: OwnerReference[]; dangling: OwnerReference[]; waiting: OwnerReference[] };

export class GarbageCollector extends Controller {
  private readonly graph = new OwnershipGraph();
  private readonly kinds: KindIndex;
  /** owner uids confirmed absent (upstream absentOwnerCache), oldest first */
  private readonly absent = new Set<string>();

  constructor(private readonly context: ControllerContext) {
    super('garbage-collector', context.options);
    const resources = context.client.resources();
    this.kinds = new KindIndex(resources);
    for (const info of collectedResources(resources)) {
      context.informers.informer(info).addEventHandler({
        add: (object) => this.observe(info, undefined, object),
        update: (old, object) => this.observe(info, old, object),
        delete: (object) => this.forget(object),
      });
    }
  }

  /** Number of objects the collector currently tracks (for tests and diagnostics). */
  get tracked(): number {
    return this.graph.size;
  }

  // ------------------------------------------------------------ graph changes (handlers: no I/O)

  private observe(info: ResourceInfo, old: KubeObject | undefined, object: KubeObject): void {
    const identity = identityOf(info, object);
    const { node } = this.graph.ensure(identity, false);
    node.identity = identity;
    node.virtual = false;
    const owners = object.metadata.ownerReferences ?? [];
    const change = diffOwners(node.owners, owners);
    for (const ref of change.removed) {
      this.graph.get(ref.uid)?.dependents.delete(identity.uid);
      if (ref.blockOwnerDeletion === true) this.enqueue(`delete/${ref.uid}`);
    }
    for (const ref of change.unblocked) this.enqueue(`delete/${ref.uid}`);
    for (const ref of change.added) {
      const owner = this.graph.ensure({ uid: ref.uid, apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, namespace: identity.namespace }, true);
      owner.node.dependents.add(identity.uid);
      // An owner never seen must be looked up; one already known absent makes this a dependent to collect.
      if (owner.created) this.enqueue(`delete/${ref.uid}`);
      if (this.absent.has(ref.uid)) this.enqueue(`delete/${identity.uid}`);
    }
    node.owners = owners;
    const meta = object.metadata;
    const wasDeleting = Boolean(old?.metadata.deletionTimestamp);
    node.beingDeleted = Boolean(meta.deletionTimestamp);
    const finalizers = meta.finalizers ?? [];
    const hadFinalizer = (name: string) => wasDeleting && (old?.metadata.finalizers ?? []).includes(name);
    if (meta.deletionTimestamp && finalizers.includes(ORPHAN) && !hadFinalizer(ORPHAN)) {
      this.enqueue(`orphan/${identity.uid}`);
    } else if (meta.deletionTimestamp && finalizers.includes(FOREGROUND) && !hadFinalizer(FOREGROUND)) {
      node.deletingDependents = true;
      for (const dependent of node.dependents) this.enqueue(`delete/${dependent}`);
      this.enqueue(`delete/${identity.uid}`);
    }
    if (!finalizers.includes(FOREGROUND)) node.deletingDependents = false;
  }

  private forget(object: KubeObject): void {
    const uid = object.metadata.uid as string;
    const node = this.graph.remove(uid);
    if (!node) return;
    this.afterRemoval(node);
  }

  /** An object is gone: its dependents may now be orphans, and a foreground owner may be unblocked. */
  private afterRemoval(node: GraphNode): void {
    if (node.dependents.size > 0) this.rememberAbsent(node.identity.uid);
    for (const dependent of node.dependents) this.enqueue(`delete/${dependent}`);
    for (const owner of node.owners) if (this.graph.get(owner.uid)?.deletingDependents) this.enqueue(`delete/${owner.uid}`);
  }

  private rememberAbsent(uid: string): void {
    this.absent.delete(uid);
    this.absent.add(uid);
    if (this.absent.size > ABSENT_CACHE_SIZE) this.absent.delete(this.absent.values().next().value as string);
  }

  // ------------------------------------------------------------ sync

  protected async sync(key: string): Promise<void> {
    const slash = key.indexOf('/');
    const uid = key.slice(slash + 1);
    if (key.startsWith('orphan/')) await this.orphanDependents(uid);
    else await this.attemptToDelete(uid);
  }

  /** Upstream attemptToDeleteItem. */
  private async attemptToDelete(uid: string): Promise<void> {
    const node = this.graph.get(uid);
    if (!node || (node.beingDeleted && !node.deletingDependents)) return;
    const latest = this.lookup(node.identity.apiVersion, node.identity.kind, node.identity.namespace, node.identity.name);
    if (!latest || latest.metadata.uid !== uid) {
      // A virtual owner that does not exist: its dependents are orphans now.
      if (node.virtual) {
        this.graph.remove(uid);
        this.afterRemoval(node);
      }
      return;
    }
    if (node.virtual) return; // it exists: its informer will report it
    if (node.deletingDependents) return this.finishForeground(node, latest);
    const refs = latest.metadata.ownerReferences ?? [];
    if (refs.length === 0) return;
    const owners = this.classify(node, refs);
    if (!owners) return;
    const gone = [...owners.dangling, ...owners.waiting];
    if (owners.solid.length > 0) {
      if (gone.length > 0) await this.removeOwnerReferences(node, gone.map((ref) => ref.uid));
      return;
    }
    if (owners.waiting.length > 0 && node.dependents.size > 0) {
      // Delete in the foreground too, so the waiting owner sees this subtree go first.
      if ([...node.dependents].some((dependent) => this.graph.get(dependent)?.deletingDependents)) await this.unblockOwners(node, refs);
      return this.deleteObject(node, 'Foreground');
    }
    const finalizers = latest.metadata.finalizers ?? [];
    const policy = finalizers.includes(ORPHAN) ? 'Orphan' : finalizers.includes(FOREGROUND) ? 'Foreground' : 'Background';
    await this.deleteObject(node, policy);
  }

  /** Sort a dependent's owner references by what exists: undefined when a reference cannot be judged. */
  private classify(node: GraphNode, refs: readonly OwnerReference[]): Owners | undefined {
    const owners: Owners = { solid: [], dangling: [], waiting: [] };
    for (const ref of refs) {
      if (this.absent.has(ref.uid)) {
        owners.dangling.push(ref);
        continue;
      }
      const info = this.kinds.resolve(ref.apiVersion, ref.kind);
      if (!info) {
        owners.solid.push(ref); // a kind kubemu does not serve: never collect on its account
        continue;
      }
      if (info.namespaced && !node.identity.namespace) return undefined; // a cluster-scoped object cannot have a namespaced owner
      const owner = this.lookup(ref.apiVersion, ref.kind, node.identity.namespace, ref.name);
      if (!owner || owner.metadata.uid !== ref.uid) {
        this.rememberAbsent(ref.uid);
        owners.dangling.push(ref);
      } else if (owner.metadata.deletionTimestamp && (owner.metadata.finalizers ?? []).includes(FOREGROUND)) {
        owners.waiting.push(ref);
      } else {
        owners.solid.push(ref);
      }
    }
    return owners;
  }

  /** Upstream processDeletingDependentsItem: the owner goes once no dependent blocks it. */
  private async finishForeground(node: GraphNode, latest: KubeObject): Promise<void> {
    const blocking = [...node.dependents]
      .map((uid) => this.graph.get(uid))
      .filter((dependent): dependent is GraphNode => dependent !== undefined && dependent.owners.some((ref) => ref.uid === node.identity.uid && ref.blockOwnerDeletion === true));
    if (blocking.length === 0) return this.removeFinalizer(node, latest, FOREGROUND);
    for (const dependent of blocking) if (!dependent.deletingDependents) this.enqueue(`delete/${dependent.identity.uid}`);
  }

  /** Upstream attemptToOrphan: every known dependent loses its reference, then the owner its finalizer. */
  private async orphanDependents(uid: string): Promise<void> {
    const node = this.graph.get(uid);
    if (!node) return;
    for (const dependent of [...node.dependents]) {
      const child = this.graph.get(dependent);
      if (child) await this.removeOwnerReferences(child, [uid]);
    }
    const latest = this.lookup(node.identity.apiVersion, node.identity.kind, node.identity.namespace, node.identity.name);
    if (latest && latest.metadata.uid === uid) await this.removeFinalizer(node, latest, ORPHAN);
  }

  // ------------------------------------------------------------ writes

  private lookup(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const info = this.kinds.resolve(apiVersion, kind);
    if (!info) return undefined;
    return this.context.client.get(info, info.namespaced ? namespace : undefined, name);
  }

  private async deleteObject(node: GraphNode, propagationPolicy: NonNullable<ClientDeleteOptions['propagationPolicy']>): Promise<void> {
    const info = this.kinds.resolve(node.identity.apiVersion, node.identity.kind);
    if (!info) return;
    try {
      await this.context.client.delete(info, node.identity.namespace, node.identity.name, { preconditions: { uid: node.identity.uid }, propagationPolicy });
    } catch (error) {
      if (!isNotFound(error) && !isConflict(error)) throw error;
    }
  }

  private async removeOwnerReferences(node: GraphNode, ownerUids: readonly string[]): Promise<void> {
    const info = this.kinds.resolve(node.identity.apiVersion, node.identity.kind);
    if (!info) return;
    const patch = { metadata: { ownerReferences: ownerUids.map((uid) => ({ $patch: 'delete', uid })), uid: node.identity.uid } };
    try {
      await this.context.client.patch(info, node.identity.namespace, node.identity.name, 'strategic', patch);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /** Break a foreground cycle: this dependent stops blocking its owners before it is deleted. */
  private async unblockOwners(node: GraphNode, refs: readonly OwnerReference[]): Promise<void> {
    const blocking = refs.filter((ref) => ref.blockOwnerDeletion === true);
    if (blocking.length === 0) return;
    const info = this.kinds.resolve(node.identity.apiVersion, node.identity.kind);
    if (!info) return;
    const patch = { metadata: { ownerReferences: blocking.map((ref) => ({ uid: ref.uid, blockOwnerDeletion: false })), uid: node.identity.uid } };
    await this.context.client.patch(info, node.identity.namespace, node.identity.name, 'strategic', patch);
  }

  private async removeFinalizer(node: GraphNode, latest: KubeObject, finalizer: string): Promise<void> {
    const finalizers = latest.metadata.finalizers ?? [];
    if (!finalizers.includes(finalizer)) return;
    const info = this.kinds.resolve(node.identity.apiVersion, node.identity.kind);
    if (!info) return;
    const patch = { metadata: { resourceVersion: latest.metadata.resourceVersion, finalizers: finalizers.filter((f) => f !== finalizer) } };
    try {
      await this.context.client.patch(info, node.identity.namespace, node.identity.name, 'merge', patch);
    } catch (error) {
      if (!isNotFound(error)) throw error; // a conflict is retried with fresh state
    }
  }
}
