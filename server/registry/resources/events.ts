/**
 * @module server/registry/resources/events
 * Layer: registry (kind declaration). core/v1 Event and events.k8s.io/v1 Event: one stored object, two
 * representations (events.k8s.io is converted on the way in and out), one printer, the upstream field selectors.
 */
import type { Event as CoreEvent } from 'kubernetes-types/core/v1.js';
import type { Event as EventsEvent } from 'kubernetes-types/events/v1.js';
import { field, type FieldError } from '../../api/field-errors.js';
import { isDNS1123Subdomain, isPathSegmentName } from '../../api/names.js';
import type { Kube, KubeObject } from '../../api/object.js';
import { ageSince } from '../../api/time.js';
import { defineResource } from '../resource.js';
import { nameColumn } from '../table.js';

export type CoreEventObject = Kube<CoreEvent>;
type EventsEventObject = Kube<EventsEvent>;
const CORE = 'io.k8s.api.core.v1';

function validate(event: CoreEventObject): FieldError[] {
  const namespace = event.metadata.namespace ?? '';
  const involved = event.involvedObject?.namespace ?? '';
  if (!event.eventTime) {
    if (involved === '' ? namespace !== 'default' && namespace !== '' : involved !== namespace) {
      return [field.invalid('involvedObject.namespace', involved, 'does not match event.namespace')];
    }
  }
  return [];
}

function when(event: CoreEventObject, now: number): [string, string] {
  const first = event.firstTimestamp ? ageSince(event.firstTimestamp, now) : event.eventTime ? ageSince(event.eventTime, now) : '<unknown>';
  let last = event.lastTimestamp ? ageSince(event.lastTimestamp, now) : first;
  if (event.series?.lastObservedTime) last = ageSince(event.series.lastObservedTime, now);
  return [first, last];
}

const eventTable = {
  columns: [
    { name: 'Last Seen', type: 'string' as const, description: [`${CORE}.Event`, 'lastTimestamp'] as const },
    { name: 'Type', type: 'string' as const, description: [`${CORE}.Event`, 'type'] as const },
    { name: 'Reason', type: 'string' as const, description: [`${CORE}.Event`, 'reason'] as const },
    { name: 'Object', type: 'string' as const, description: [`${CORE}.Event`, 'involvedObject'] as const },
    { name: 'Subobject', type: 'string' as const, priority: 1 as const, description: [`${CORE}.ObjectReference`, 'fieldPath'] as const },
    { name: 'Source', type: 'string' as const, priority: 1 as const, description: [`${CORE}.Event`, 'source'] as const },
    { name: 'Message', type: 'string' as const, description: [`${CORE}.Event`, 'message'] as const },
    { name: 'First Seen', type: 'string' as const, priority: 1 as const, description: [`${CORE}.Event`, 'firstTimestamp'] as const },
    { name: 'Count', type: 'string' as const, priority: 1 as const, description: [`${CORE}.Event`, 'count'] as const },
    { ...nameColumn, priority: 1 as const },
  ],
  cells(event: CoreEventObject, now: number) {
    const [first, last] = when(event, now);
    const involved = event.involvedObject ?? {};
    const kind = (involved.kind ?? '').toLowerCase();
    const component = event.source?.component || event.reportingComponent || '';
    const host = event.source?.host || event.reportingInstance || '';
    return [
      last,
      event.type ?? '',
      event.reason ?? '',
      involved.name ? `${kind}/${involved.name}` : kind,
      involved.fieldPath ?? '',
      host ? `${component}, ${host}` : component,
      (event.message ?? '').trim(),
      first,
      event.series?.count ?? (event.count || 1),
      event.metadata.name ?? '',
    ];
  },
};

const fieldSelectors: Record<string, (event: CoreEventObject) => string> = {
  'involvedObject.kind': (e) => e.involvedObject?.kind ?? '',
  'involvedObject.namespace': (e) => e.involvedObject?.namespace ?? '',
  'involvedObject.name': (e) => e.involvedObject?.name ?? '',
  'involvedObject.uid': (e) => e.involvedObject?.uid ?? '',
  'involvedObject.apiVersion': (e) => e.involvedObject?.apiVersion ?? '',
  'involvedObject.resourceVersion': (e) => e.involvedObject?.resourceVersion ?? '',
  'involvedObject.fieldPath': (e) => e.involvedObject?.fieldPath ?? '',
  reason: (e) => e.reason ?? '',
  reportingComponent: (e) => e.reportingComponent ?? '',
  source: (e) => e.source?.component || e.reportingComponent || '',
  type: (e) => e.type ?? '',
};

export const events = defineResource<CoreEventObject>({
  group: '',
  version: 'v1',
  kind: 'Event',
  plural: 'events',
  singular: 'event',
  namespaced: true,
  shortNames: ['ev'],
  validateName: isPathSegmentName,
  strategy: { validate },
  fieldSelectors,
  table: eventTable,
});

// ---------------------------------------------------------------- events.k8s.io/v1

const RENAMES: [events: string, core: string][] = [
  ['regarding', 'involvedObject'],
  ['note', 'message'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
  ['reportingController', 'reportingComponent'],
];

function rename(object: KubeObject, from: 0 | 1, apiVersion: string): KubeObject {
  const out: KubeObject = { ...object, apiVersion, kind: 'Event' };
  for (const pair of RENAMES) {
    const source = pair[from];
    const target = pair[from === 0 ? 1 : 0];
    if (source in out) {
      out[target] = out[source];
      delete out[source];
    }
  }
  return out;
}

function toCore(event: EventsEventObject): KubeObject {
  return rename(event, 0, 'v1');
}

function fromCore(event: KubeObject): EventsEventObject {
  return rename(event, 1, 'events.k8s.io/v1') as EventsEventObject;
}

export const eventsV1 = defineResource<EventsEventObject>({
  group: 'events.k8s.io',
  version: 'v1',
  kind: 'Event',
  plural: 'events',
  singular: 'event',
  namespaced: true,
  shortNames: ['ev'],
  validateName: isDNS1123Subdomain,
  storedAs: { group: '', plural: 'events', toStorage: toCore, fromStorage: fromCore },
  // The same selectors under events.k8s.io's field names (regarding.*, reportingController).
  fieldSelectors: Object.fromEntries(
    Object.entries(fieldSelectors).map(([key, get]) => [
      key.replace(/^involvedObject\./, 'regarding.').replace(/^reportingComponent$/, 'reportingController'),
      (e: EventsEventObject) => get(toCore(e) as CoreEventObject),
    ]),
  ),
  table: { columns: eventTable.columns, cells: (event, now) => eventTable.cells(toCore(event) as CoreEventObject, now) },
});
