/**
 * @module server/api/field-errors
 * Layer: api (pure). Field-level validation errors and their rendering, worded as
 * k8s.io/apimachinery/pkg/util/validation/field does, and their aggregation into a 422 Invalid Status.
 */
import { ApiError, StatusReason, type StatusCause } from './status.js';

export const FieldErrorType = {
  Required: 'FieldValueRequired',
  Invalid: 'FieldValueInvalid',
  NotSupported: 'FieldValueNotSupported',
  Forbidden: 'FieldValueForbidden',
  Duplicate: 'FieldValueDuplicate',
  TooLong: 'FieldValueTooLong',
  TooMany: 'FieldValueTooMany',
  NotFound: 'FieldValueNotFound',
  TypeInvalid: 'FieldValueTypeInvalid',
  Internal: 'InternalError',
} as const;
export type FieldErrorType = (typeof FieldErrorType)[keyof typeof FieldErrorType];

export interface FieldError {
  type: FieldErrorType;
  field: string;
  value?: unknown;
  detail?: string;
}

/** Go's %#v-ish rendering of a value inside an error message: strings quoted, numbers bare. */
export function renderValue(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return `[]${typeof value[0] === 'string' ? 'string' : 'interface {}'}{${value.map(renderValue).join(', ')}}`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (entries.every(([, v]) => typeof v === 'string')) {
      return `map[string]string{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(', ')}}`;
    }
    return JSON.stringify(value);
  }
  return String(value);
}

/** The text after "<field>: ", as field.Error.ErrorBody renders it. */
export function errorBody(error: FieldError): string {
  const detail = error.detail ? `: ${error.detail}` : '';
  switch (error.type) {
    case FieldErrorType.Required:
      return `Required value${detail}`;
    case FieldErrorType.Forbidden:
      return `Forbidden${detail}`;
    case FieldErrorType.TooLong:
      return `Too long${detail}`;
    case FieldErrorType.Internal:
      return `Internal error${detail}`;
    case FieldErrorType.NotSupported:
      return `Unsupported value: ${renderValue(error.value)}${detail}`;
    case FieldErrorType.Duplicate:
      return `Duplicate value: ${renderValue(error.value)}${detail}`;
    case FieldErrorType.NotFound:
      return `Not found: ${renderValue(error.value)}${detail}`;
    case FieldErrorType.TooMany:
      return `Too many: ${renderValue(error.value)}${detail}`;
    default:
      return `Invalid value: ${renderValue(error.value)}${detail}`;
  }
}

export function renderFieldError(error: FieldError): string {
  return `${error.field}: ${errorBody(error)}`;
}

// Constructors, named as upstream's field.Required / field.Invalid / …
export const field = {
  required: (path: string, detail = ''): FieldError => ({ type: FieldErrorType.Required, field: path, detail }),
  invalid: (path: string, value: unknown, detail = ''): FieldError => ({ type: FieldErrorType.Invalid, field: path, value, detail }),
  forbidden: (path: string, detail: string): FieldError => ({ type: FieldErrorType.Forbidden, field: path, detail }),
  duplicate: (path: string, value: unknown): FieldError => ({ type: FieldErrorType.Duplicate, field: path, value }),
  notFound: (path: string, value: unknown): FieldError => ({ type: FieldErrorType.NotFound, field: path, value }),
  tooLong: (path: string, value: unknown, max: number): FieldError => ({
    type: FieldErrorType.TooLong,
    field: path,
    value,
    detail: `must have at most ${max} bytes`,
  }),
  notSupported: (path: string, value: unknown, supported: readonly string[]): FieldError => ({
    type: FieldErrorType.NotSupported,
    field: path,
    value,
    detail: supported.length > 0 ? `supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}` : '',
  }),
  immutable: (path: string, value: unknown): FieldError => ({ type: FieldErrorType.Invalid, field: path, value, detail: 'field is immutable' }),
};

/**
 * The 422 Invalid error for a list of field errors: `<Kind>[.<group>] "<name>" is invalid: <e>` or
 * `… is invalid: [<e1>, <e2>]`, with one cause per error (mirrors apimachinery's errors.NewInvalid).
 */
export function invalidError(kind: { group: string; kind: string }, name: string, errors: FieldError[]): ApiError {
  // Upstream's aggregate drops repeated messages (the causes keep them all).
  const rendered = [...new Set(errors.map(renderFieldError))];
  const qualified = kind.group ? `${kind.kind}.${kind.group}` : kind.kind;
  const summary = rendered.length === 1 ? `: ${rendered[0]}` : rendered.length === 0 ? '' : `: [${rendered.join(', ')}]`;
  const causes: StatusCause[] = errors.map((e) => ({ reason: e.type, message: errorBody(e), field: e.field }));
  return new ApiError(422, StatusReason.Invalid, `${qualified} "${name}" is invalid${summary}`, {
    name,
    ...(kind.group && { group: kind.group }),
    kind: kind.kind,
    causes,
  });
}
