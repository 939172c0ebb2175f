/**
 * @module server/registry/query
 * Layer: registry. Turns list options (label and field selectors) into one predicate over a resource's
 * objects, rejecting unsupported field labels and malformed selectors as upstream does (400 BadRequest).
 */
import { parseResourceVersion } from '../api/resource-version.js';
import { fieldsMatch, FieldSelectorParseError, parseFieldSelector, type FieldRequirement } from '../api/fields.js';
import { parseSelector, SelectorParseError, type Selector } from '../api/labels.js';
import type { KubeObject } from '../api/object.js';
import { field, invalidError } from '../api/field-errors.js';
import { errors } from '../api/status.js';
import type { ListQuery } from './registry.js';
import type { Resource } from './resource.js';

export interface Selection {
  labels: Selector | undefined;
  fields: FieldRequirement[];
  /** undefined when nothing filters */
  predicate: ((object: KubeObject) => boolean) | undefined;
}

/** The value of a field label for an object ("" when absent). */
export function fieldValue(resource: Resource, object: KubeObject, label: string): string {
  if (label === 'metadata.name') return object.metadata.name ?? '';
  if (label === 'metadata.namespace') return object.metadata.namespace ?? '';
  return resource.fieldSelectors?.[label]?.(object) ?? '';
}

export function selection(resource: Resource, labelSelector: string | undefined, fieldSelector: string | undefined): Selection {
  let labels: Selector | undefined;
  let fields: FieldRequirement[] = [];
  try {
    if (labelSelector) {
      labels = parseSelector(labelSelector);
      if (labels.empty) labels = undefined;
    }
    if (fieldSelector) fields = parseFieldSelector(fieldSelector);
  } catch (err) {
    if (err instanceof SelectorParseError || err instanceof FieldSelectorParseError) throw errors.badRequest(err.message);
    throw err;
  }
  for (const requirement of fields) {
    const label = requirement.field;
    if (label !== 'metadata.name' && label !== 'metadata.namespace' && !resource.fieldSelectors?.[label]) {
      // Kinds with field labels of their own word it one way, the rest (the default conversion) another.
      throw errors.badRequest(
        resource.fieldSelectors
          ? `field label not supported: ${label}`
          : `${JSON.stringify(label)} is not a known field selector: only "metadata.name", "metadata.namespace"`,
      );
    }
  }
  const predicate =
    labels || fields.length > 0
      ? (object: KubeObject) =>
          (!labels || labels.matches(object.metadata.labels)) && fieldsMatch(fields, (label) => fieldValue(resource, object, label))
      : undefined;
  return { labels, fields, predicate };
}

/** The store revision a list reads at: Exact (or a paged list) reads that snapshot, otherwise the latest. */
export function listRevision(query: ListQuery): number | undefined {
  const { resourceVersion, resourceVersionMatch, continue: token } = query;
  if (resourceVersionMatch && !['Exact', 'NotOlderThan'].includes(resourceVersionMatch)) {
    throw invalidError({ group: 'meta.k8s.io', kind: 'ListOptions' }, '', [field.notSupported('resourceVersionMatch', resourceVersionMatch, ['Exact', 'NotOlderThan'])]);
  }
  if (resourceVersionMatch && !resourceVersion) {
    throw invalidError({ group: 'meta.k8s.io', kind: 'ListOptions' }, '', [field.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided')]);
  }
  if (token && resourceVersion && resourceVersion !== '0') {
    throw invalidError({ group: 'meta.k8s.io', kind: 'ListOptions' }, '', [field.forbidden('resourceVersion', 'specifying resource version is not allowed when using continue')]);
  }
  if (!resourceVersion || resourceVersion === '0') return undefined;
  const revision = parseResourceVersion(resourceVersion);
  // Exact (or a paged list, which upstream serves exactly) reads the snapshot; NotOlderThan reads the latest.
  return resourceVersionMatch === 'Exact' || (query.limit && resourceVersionMatch !== 'NotOlderThan') ? revision : undefined;
}
