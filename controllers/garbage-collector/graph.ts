/**
 * @module controllers/garbage-collector/graph
 * Layer: controllers. The garbage collector's view of ownership (mirrors kube-controller-manager's
 * GraphBuilder): one node per object uid with its owner references and its known dependents. An owner that
 * has not been seen yet is a "virtual" node until a live lookup confirms or refutes it.
 */
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { ResourceInfo } from '../../server/api/client.js';

export interface ObjectIdentity {
  uid: string;
  apiVersion: string;
  kind: string;
  namespace: string | undefined;
  name: string;
}

export interface GraphNode {
  identity: ObjectIdentity;
  owners: readonly OwnerReference[];
  dependents: Set<string>;
  /** has a deletionTimestamp */
  beingDeleted: boolean;
  /** being deleted in the foreground: waits for its blocking dependents */
  deletingDependents: boolean;
  /** known only from a dependent's owner reference */
  virtual: boolean;
}

/** Kind lookups for owner references: `group/Kind` → the served resource. */
export class KindIndex {
  private readonly byKind = new Map<string, ResourceInfo>();

  constructor(resources: readonly ResourceInfo[]) {
    for (const info of resources) this.byKind.set(`${info.group}/${info.kind}`, info);
  }

  resolve(apiVersion: string, kind: string): ResourceInfo | undefined {
    const slash = apiVersion.indexOf('/');
    return this.byKind.get(`${slash < 0 ? '' : apiVersion.slice(0, slash)}/${kind}`);
  }
}

export class OwnershipGraph {
  private readonly nodes = new Map<string, GraphNode>();

  get(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  /** The node for `identity`, created (real or virtual) when missing. */
  ensure(identity: ObjectIdentity, virtual: boolean): { node: GraphNode; created: boolean } {
    const existing = this.nodes.get(identity.uid);
    if (existing) return { node: existing, created: false };
    const node: GraphNode = { identity, owners: [], dependents: new Set(), beingDeleted: false, deletingDependents: false, virtual };
    this.nodes.set(identity.uid, node);
    return { node, created: true };
  }

  remove(uid: string): GraphNode | undefined {
    const node = this.nodes.get(uid);
    if (!node) return undefined;
    this.nodes.delete(uid);
    for (const owner of node.owners) this.nodes.get(owner.uid)?.dependents.delete(uid);
    return node;
  }

  get size(): number {
    return this.nodes.size;
  }
}

/** Owner references of `next` that `previous` did not have, that it lost, and that stopped blocking. */
export function diffOwners(previous: readonly OwnerReference[], next: readonly OwnerReference[]): { added: OwnerReference[]; removed: OwnerReference[]; unblocked: OwnerReference[] } {
  const before = new Map(previous.map((ref) => [ref.uid, ref]));
  const after = new Map(next.map((ref) => [ref.uid, ref]));
  const added = next.filter((ref) => !before.has(ref.uid));
  const removed = previous.filter((ref) => !after.has(ref.uid));
  const unblocked = previous.filter((ref) => ref.blockOwnerDeletion === true && after.has(ref.uid) && after.get(ref.uid)?.blockOwnerDeletion !== true);
  return { added, removed, unblocked };
}
