/**
 * @module controllers/index
 * Layer: controllers. The controllers a kubemu runs, in the order they are built — the set
 * kube-controller-manager would run for the kinds kubemu acts on.
 */
import { EventTtlController } from './events/event-ttl.js';
import { GarbageCollector } from './garbage-collector/garbage-collector.js';
import type { ControllerFactory } from './manager.js';
import { NamespaceController } from './namespace/namespace-controller.js';
import { ServiceAccountsController } from './serviceaccounts.js';

export interface ControllerSettings {
  /** how long events live after their last write (default 1 h) */
  eventTtlSeconds?: number;
  /** delay before a deleted namespace is emptied (default 0; upstream waits 5 s) */
  namespaceDeletionDelayMs?: number;
}

export function defaultControllers(settings: ControllerSettings = {}): ControllerFactory[] {
  return [
    (context) => new GarbageCollector(context),
    (context) => new NamespaceController(context, settings.namespaceDeletionDelayMs !== undefined ? { deletionDelayMs: settings.namespaceDeletionDelayMs } : {}),
    (context) => new ServiceAccountsController(context),
    (context) => new EventTtlController(context, settings.eventTtlSeconds),
  ];
}
