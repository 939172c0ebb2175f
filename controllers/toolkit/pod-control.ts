/**
 * @module controllers/toolkit/pod-control
 * Layer: controllers. Creating and deleting a controller's pods (upstream RealPodControl and slowStartBatch):
 * each write reported as the owner's event (SuccessfulCreate / FailedCreate / SuccessfulDelete /
 * FailedDelete); creates in batches of 1, 2, 4, … so that a refused template (quota, admission) costs one
 * failed call, not hundreds.
 */
import type { Client } from '../../server/api/client.js';
import type { KubeObject } from '../../server/api/object.js';
import { hasStatusCause, isConflict, isNotFound } from '../../server/api/status.js';
import type { EventRecorder } from '../events/recorder.js';
import { PODS, type PodObject } from '../../server/api/kinds.js';

/** Most pods one sync creates or deletes (upstream BurstReplicas). */
export const BURST_REPLICAS = 500;

/** What a create came to: created, refused because the namespace is going (nothing to report or retry), or an error. */
export type CreateOutcome = { created: PodObject } | { namespaceTerminating: true } | { error: unknown };

export interface BatchResult {
  /** creates that succeeded */
  successes: number;
  /** creates never attempted because an earlier batch failed */
  skipped: number;
  /** the first error met, if any (a terminating namespace is not one) */
  error: unknown;
}

/**
 * Run `count` creates in growing batches (1, 2, 4, …), stopping after the first batch with a failure
 * (upstream slowStartBatch).
 */
export async function slowStartBatch(count: number, create: (index: number) => Promise<CreateOutcome>): Promise<BatchResult> {
  let successes = 0;
  let next = 0;
  for (let batch = Math.min(1, count); next < count; batch = Math.min(batch * 2, count - next)) {
    const outcomes = await Promise.all(Array.from({ length: batch }, (_, i) => create(next + i)));
    next += batch;
    const failed = outcomes.filter((outcome) => !('created' in outcome));
    successes += outcomes.length - failed.length;
    if (failed.length > 0) {
      const error = failed.find((outcome): outcome is { error: unknown } => 'error' in outcome)?.error;
      return { successes, skipped: count - next, error };
    }
  }
  return { successes, skipped: 0, error: undefined };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class PodControl {
  constructor(
    private readonly client: Client,
    private readonly recorder: EventRecorder,
  ) {}

  async create(owner: KubeObject, pod: PodObject): Promise<CreateOutcome> {
    if (Object.keys(pod.metadata.labels ?? {}).length === 0) return { error: new Error('unable to create pods, no labels') };
    try {
      const created = await this.client.create(PODS, pod);
      this.recorder.event(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
      return { created };
    } catch (error) {
      // A terminating namespace refuses every new pod: nothing to report, nothing to retry.
      if (hasStatusCause(error, 'NamespaceTerminating')) return { namespaceTerminating: true };
      this.recorder.event(owner, 'Warning', 'FailedCreate', `Error creating: ${messageOf(error)}`);
      return { error };
    }
  }

  /** Delete a pod of the owner, guarded by its uid; undefined when done or already gone, else the error. */
  async delete(owner: KubeObject, pod: PodObject): Promise<unknown> {
    try {
      await this.client.delete(PODS, pod.metadata.namespace, pod.metadata.name as string, { preconditions: { uid: pod.metadata.uid as string } });
      this.recorder.event(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
      return undefined;
    } catch (error) {
      if (isNotFound(error) || isConflict(error)) return undefined;
      this.recorder.event(owner, 'Warning', 'FailedDelete', `Error deleting: ${messageOf(error)}`);
      return error;
    }
  }
}
