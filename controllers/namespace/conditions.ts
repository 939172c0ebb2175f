/**
 * @module controllers/namespace/conditions
 * Layer: controllers. The five status conditions the namespace controller keeps on a terminating namespace,
 * with upstream's types, reasons and messages (mirrors pkg/controller/namespace/deletion/status_condition_utils).
 */
import type { NamespaceCondition } from 'kubernetes-types/core/v1.js';

/** What one pass over a terminating namespace's content found. */
export interface ContentReport {
  /** `resource.group` → instances still present (core resources print with a trailing dot, as upstream) */
  remaining: Map<string, number>;
  /** finalizer name → instances still carrying it */
  finalizers: Map<string, number>;
  /** per-resource failures to delete */
  failures: string[];
}

interface ConditionText {
  type: string;
  failed: (report: ContentReport) => { reason: string; message: string } | undefined;
  ok: { reason: string; message: string };
}

const listed = (counts: Map<string, number>, format: (name: string, count: number) => string) =>
  [...counts].map(([name, count]) => format(name, count)).sort().join(', ');

const CONDITIONS: readonly ConditionText[] = [
  { type: 'NamespaceDeletionDiscoveryFailure', failed: () => undefined, ok: { reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' } },
  { type: 'NamespaceDeletionGroupVersionParsingFailure', failed: () => undefined, ok: { reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' } },
  {
    type: 'NamespaceDeletionContentFailure',
    failed: (report) =>
      report.failures.length === 0
        ? undefined
        : { reason: 'ContentDeletionFailed', message: `Failed to delete all resource types, ${report.failures.length} remaining: ${[...report.failures].sort().join(', ')}` },
    ok: { reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
  },
  {
    type: 'NamespaceContentRemaining',
    failed: (report) =>
      report.remaining.size === 0
        ? undefined
        : { reason: 'SomeResourcesRemain', message: `Some resources are remaining: ${listed(report.remaining, (name, count) => `${name} has ${count} resource instances`)}` },
    ok: { reason: 'ContentRemoved', message: 'All content successfully removed' },
  },
  {
    type: 'NamespaceFinalizersRemaining',
    failed: (report) =>
      report.finalizers.size === 0
        ? undefined
        : {
            reason: 'SomeFinalizersRemain',
            message: `Some content in the namespace has finalizers remaining: ${listed(report.finalizers, (name, count) => `${name} in ${count} resource instances`)}`,
          },
    ok: { reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' },
  },
];

/**
 * The namespace's conditions after a pass: each of the five set (True on failure, else False), other
 * conditions kept; lastTransitionTime moves only when a status flips. `changed` says whether to write.
 */
export function namespaceConditions(current: readonly NamespaceCondition[], report: ContentReport, now: string): { conditions: NamespaceCondition[]; changed: boolean } {
  const conditions = current.map((condition) => ({ ...condition }));
  let changed = false;
  for (const text of CONDITIONS) {
    const failure = text.failed(report);
    const wanted = { status: failure ? 'True' : 'False', ...(failure ?? text.ok) };
    const existing = conditions.find((condition) => condition.type === text.type);
    if (!existing) {
      conditions.push({ type: text.type, ...wanted, lastTransitionTime: now });
      changed = true;
    } else if (existing.status !== wanted.status || existing.reason !== wanted.reason || existing.message !== wanted.message) {
      if (existing.status !== wanted.status) existing.lastTransitionTime = now;
      Object.assign(existing, wanted);
      changed = true;
    }
  }
  return { conditions, changed };
}
