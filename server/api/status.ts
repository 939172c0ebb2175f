/**
 * @module server/api/status
 * Layer: api (pure). API errors and their `Status` form — the only error shape kubemu ever sends
 * (mirrors k8s.io/apimachinery/pkg/api/errors). Tests assert on `reason` and `code`, not message text.
 */

export const StatusReason = {
  BadRequest: 'BadRequest',
  Unauthorized: 'Unauthorized',
  Forbidden: 'Forbidden',
  NotFound: 'NotFound',
  AlreadyExists: 'AlreadyExists',
  Conflict: 'Conflict',
  Gone: 'Gone',
  Expired: 'Expired',
  Invalid: 'Invalid',
  MethodNotAllowed: 'MethodNotAllowed',
  NotAcceptable: 'NotAcceptable',
  UnsupportedMediaType: 'UnsupportedMediaType',
  RequestEntityTooLarge: 'RequestEntityTooLarge',
  RequestHeaderFieldsTooLarge: 'RequestHeaderFieldsTooLarge',
  TooManyRequests: 'TooManyRequests',
  Timeout: 'Timeout',
  ServerTimeout: 'ServerTimeout',
  InternalError: 'InternalError',
  ServiceUnavailable: 'ServiceUnavailable',
} as const;
export type StatusReason = (typeof StatusReason)[keyof typeof StatusReason];

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never> | { resourceVersion?: string; continue?: string };
  status: 'Success' | 'Failure';
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

/** An error that carries its Kubernetes Status. Thrown anywhere below the HTTP edge, rendered once there. */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  /** The Status, its fields in the Go structs' order (as kube-apiserver writes them). */
  toStatus(): Status {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details && { details: orderedDetails(this.details) }),
      code: this.code,
    };
  }
}

/** StatusDetails and its causes in Go field order; empty fields left out, as omitempty does. */
function orderedDetails(details: StatusDetails): StatusDetails {
  const out: StatusDetails = {};
  if (details.name) out.name = details.name;
  if (details.group) out.group = details.group;
  if (details.kind) out.kind = details.kind;
  if (details.uid) out.uid = details.uid;
  if (details.causes && details.causes.length > 0) {
    out.causes = details.causes.map((cause) => ({ ...(cause.reason && { reason: cause.reason }), ...(cause.message && { message: cause.message }), ...(cause.field && { field: cause.field }) }));
  }
  if (details.retryAfterSeconds) out.retryAfterSeconds = details.retryAfterSeconds;
  return out;
}

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}

export function isNotFound(err: unknown): boolean {
  return isApiError(err) && err.code === 404;
}

/** A write lost an optimistic-concurrency race (409 Conflict, not AlreadyExists). */
export function isConflict(err: unknown): boolean {
  return isApiError(err) && err.code === 409 && err.reason === StatusReason.Conflict;
}

export function isAlreadyExists(err: unknown): boolean {
  return isApiError(err) && err.reason === StatusReason.AlreadyExists;
}

export function isForbidden(err: unknown): boolean {
  return isApiError(err) && err.code === 403;
}

/** Whether a Status names `reason` among its causes (apierrors.HasStatusCause), e.g. `NamespaceTerminating`. */
export function hasStatusCause(err: unknown, reason: string): boolean {
  return isApiError(err) && (err.details?.causes ?? []).some((cause) => cause.reason === reason);
}

/** A group-qualified resource name as upstream prints it in messages: `pods`, `daemonsets.apps`. */
export interface GroupResource {
  group: string;
  resource: string;
}

function qualified({ group, resource }: GroupResource): string {
  return group ? `${resource}.${group}` : resource;
}

function detailsFor(gr: GroupResource, name: string | undefined): StatusDetails {
  const details: StatusDetails = { kind: gr.resource };
  if (name !== undefined) details.name = name;
  if (gr.group) details.group = gr.group;
  return details;
}

export const errors = {
  notFound(gr: GroupResource, name: string): ApiError {
    return new ApiError(404, StatusReason.NotFound, `${qualified(gr)} "${name}" not found`, detailsFor(gr, name));
  },
  alreadyExists(gr: GroupResource, name: string): ApiError {
    return new ApiError(409, StatusReason.AlreadyExists, `${qualified(gr)} "${name}" already exists`, detailsFor(gr, name));
  },
  conflict(gr: GroupResource, name: string, why: string): ApiError {
    return new ApiError(409, StatusReason.Conflict, `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${why}`, detailsFor(gr, name));
  },
  badRequest(message: string): ApiError {
    return new ApiError(400, StatusReason.BadRequest, message);
  },
  forbidden(gr: GroupResource, name: string, why: string): ApiError {
    const subject = name ? `${qualified(gr)} "${name}"` : qualified(gr);
    return new ApiError(403, StatusReason.Forbidden, `${subject} is forbidden: ${why}`, detailsFor(gr, name || undefined));
  },
  methodNotAllowed(message = 'the server does not allow this method on the requested resource'): ApiError {
    return new ApiError(405, StatusReason.MethodNotAllowed, message);
  },
  pathNotFound(): ApiError {
    return new ApiError(404, StatusReason.NotFound, 'the server could not find the requested resource', {});
  },
  gone(message: string): ApiError {
    return new ApiError(410, StatusReason.Gone, message);
  },
  expired(message: string): ApiError {
    return new ApiError(410, StatusReason.Expired, message);
  },
  tooLarge(message: string): ApiError {
    return new ApiError(413, StatusReason.RequestEntityTooLarge, message);
  },
  unsupportedMediaType(contentType: string): ApiError {
    return new ApiError(415, StatusReason.UnsupportedMediaType, `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got ${contentType})`);
  },
  notAcceptable(message: string): ApiError {
    return new ApiError(406, StatusReason.NotAcceptable, message);
  },
  timeout(message: string, retryAfterSeconds?: number): ApiError {
    return new ApiError(504, StatusReason.Timeout, message, retryAfterSeconds ? { retryAfterSeconds } : undefined);
  },
  unavailable(message: string): ApiError {
    return new ApiError(503, StatusReason.ServiceUnavailable, message);
  },
  internal(message: string): ApiError {
    return new ApiError(500, StatusReason.InternalError, `Internal error occurred: ${message}`, { causes: [{ message }] });
  },
};
