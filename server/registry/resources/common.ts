/**
 * @module server/registry/resources/common
 * Layer: registry. Pieces many kind declarations share: generation tracking, selector-vs-template checks,
 * the AGE cell, the scale accessor of replica-based workloads.
 */
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { field, renderValue, type FieldError } from '../../api/field-errors.js';
import { fromLabelSelector, type Labels } from '../../api/labels.js';
import { isQualifiedName, isValidLabelValue } from '../../api/names.js';
import type { KubeObject } from '../../api/object.js';
import { ageSince } from '../../api/time.js';
import { validateLabels } from '../validation/object-meta.js';
import type { ScaleAccess } from '../resource.js';

/** PrepareForCreate of kinds that track generation: start at 1 (the pipeline bumps it on spec changes). */
export function startGeneration(object: KubeObject): void {
  object.metadata.generation = 1;
}

export function age(object: KubeObject, now: number): string {
  return ageSince(object.metadata.creationTimestamp, now);
}

const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** metav1 ValidateLabelSelector. */
export function validateLabelSelector(selector: LabelSelector | undefined, path: string): FieldError[] {
  if (!selector) return [];
  const errors = validateLabels(selector.matchLabels, `${path}.matchLabels`);
  (selector.matchExpressions ?? []).forEach((expression, i) => {
    const at = `${path}.matchExpressions[${i}]`;
    const values = expression.values ?? [];
    if (expression.operator === 'In' || expression.operator === 'NotIn') {
      if (values.length === 0) errors.push(field.required(`${at}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (expression.operator === 'Exists' || expression.operator === 'DoesNotExist') {
      if (values.length > 0) errors.push(field.forbidden(`${at}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else {
      errors.push(field.invalid(`${at}.operator`, expression.operator, 'not a valid selector operator'));
    }
    if (!SELECTOR_OPERATORS.includes(expression.operator)) return;
    for (const message of isQualifiedName(expression.key)) errors.push(field.invalid(`${at}.key`, expression.key, message));
    values.forEach((value, j) => {
      for (const message of isValidLabelValue(value)) errors.push(field.invalid(`${at}.values[${j}]`, value, message));
    });
  });
  return errors;
}

/** Go's %#v of a LabelSelector, as upstream prints it in "empty selector" errors. */
function selectorValue(selector: LabelSelector): string {
  const labels = selector.matchLabels ? renderValue(selector.matchLabels) : 'map[string]string(nil)';
  const expressions = selector.matchExpressions ? `[]v1.LabelSelectorRequirement{...}` : '[]v1.LabelSelectorRequirement(nil)';
  return `v1.LabelSelector{MatchLabels:${labels}, MatchExpressions:${expressions}}`;
}

/**
 * The selector rules of every controller kind: required, not empty, valid, and matching the template's
 * labels (`selector` does not match template `labels`).
 */
export function validateSelectorAndTemplate(
  selector: LabelSelector | undefined,
  templateLabels: Labels,
  kindWord: string,
  selectorPath = 'spec.selector',
  templateLabelsPath = 'spec.template.metadata.labels',
): FieldError[] {
  if (!selector) return [field.required(selectorPath)];
  const empty = Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
  if (empty) return [{ type: 'FieldValueInvalid', field: selectorPath, value: selectorValue(selector), detail: `empty selector is invalid for ${kindWord}` }];
  const errors = validateLabelSelector(selector, selectorPath);
  if (errors.length > 0) return errors;
  try {
    if (!fromLabelSelector(selector).matches(templateLabels)) {
      errors.push(field.invalid(templateLabelsPath, templateLabels ?? {}, '`selector` does not match template `labels`'));
    }
  } catch {
    errors.push(field.invalid(selectorPath, selectorValue(selector), 'invalid label selector'));
  }
  return errors;
}

export function nonNegative(value: number | undefined, path: string): FieldError[] {
  return value !== undefined && value < 0 ? [field.invalid(path, value, 'must be greater than or equal to 0')] : [];
}

interface Replicated extends KubeObject {
  spec?: { replicas?: number; selector?: LabelSelector | Record<string, string> };
  status?: { replicas?: number };
}

/** /scale for kinds with spec.replicas and a metav1.LabelSelector (or a map selector). */
export function replicaScale(mapSelector = false): ScaleAccess<Replicated> {
  return {
    specReplicas: (object) => object.spec?.replicas ?? 0,
    setSpecReplicas: (object, replicas) => {
      object.spec = { ...(object.spec ?? {}), replicas };
    },
    statusReplicas: (object) => object.status?.replicas ?? 0,
    selector: (object) => {
      const selector = object.spec?.selector;
      if (!selector) return '';
      return mapSelector
        ? Object.entries(selector as Record<string, string>).map(([k, v]) => `${k}=${v}`).sort().join(',')
        : fromLabelSelector(selector as LabelSelector).toString();
    },
  };
}

/** ValidatePositiveIntOrPercent and IsNotMoreThan100Percent for maxUnavailable / maxSurge style fields. */
export function validateIntOrPercent(value: number | string | undefined, path: string): FieldError[] {
  if (value === undefined) return [];
  if (typeof value === 'number') return value < 0 ? [field.invalid(path, value, 'must be greater than or equal to 0')] : [];
  if (!/^[0-9]+%$/.test(value)) {
    return [
      field.invalid(
        path,
        value,
        "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
      ),
    ];
  }
  return Number(value.slice(0, -1)) > 100 ? [field.invalid(path, value, 'must not be greater than 100%')] : [];
}

/** Whether an int-or-percent is zero (0 or "0%"). */
export function isZero(value: number | string | undefined): boolean {
  return value === undefined || value === 0 || value === '0%' || value === '0';
}
