/**
 * @module storage/errors
 * Layer: storage. The storage layer speaks stable error codes only; server/registry translates them
 * into API errors (AlreadyExists, NotFound, Conflict, Gone…), mirroring k8s.io/apiserver's storage.StorageError.
 */

export const StorageErrorCode = {
  /** create of a key that holds a live object */
  KeyExists: 'KeyExists',
  /** read, update or delete of a key that holds no live object */
  KeyNotFound: 'KeyNotFound',
  /** a uid / resourceVersion precondition did not hold */
  Conflict: 'Conflict',
  /** the revision asked for has been compacted out of the history window */
  RevisionTooOld: 'RevisionTooOld',
  /** the revision asked for has not been written yet */
  RevisionTooNew: 'RevisionTooNew',
  /** a continue token that cannot be decoded or does not belong to this list */
  InvalidContinue: 'InvalidContinue',
  /** a serialised object above the per-object size limit */
  TooLarge: 'TooLarge',
  /** the store is closed or a durable write failed; nothing more can be written */
  Unavailable: 'Unavailable',
} as const;
export type StorageErrorCode = (typeof StorageErrorCode)[keyof typeof StorageErrorCode];

export class StorageError extends Error {
  override readonly name = 'StorageError';

  constructor(
    readonly code: StorageErrorCode,
    /** the storage key concerned, when there is one */
    readonly key: string | undefined,
    message: string,
    /** for RevisionTooOld / RevisionTooNew: the oldest and newest revisions the store can serve */
    readonly revisions?: { oldest: number; current: number },
  ) {
    super(message);
  }
}

export function isStorageError(err: unknown, code?: StorageErrorCode): err is StorageError {
  return err instanceof StorageError && (code === undefined || err.code === code);
}
