/**
 * @module server/registry/query
 * Layer: registry. Turns list options (label and field selectors) into one predicate over a resource's
 * objects, rejecting unsupported field labels and malformed selectors as upstream does (400 BadRequest).
 */
import { fieldsMatch, FieldSelectorParseError, parseFieldSelector, type FieldRequirement } from '../api/fields.js';
import { parseSelector, SelectorParseError, type Selector } from '../api/labels.js';
import type { KubeObject } from '../api/object.js';
import { errors } from '../api/status.js';
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
