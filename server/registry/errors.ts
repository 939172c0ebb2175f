/**
 * @module server/registry/errors
 * Layer: registry. Storage error codes become API errors here, at the layer edge (mirrors apiserver's
 * storage/errors interpretation): KeyExists → AlreadyExists, KeyNotFound → NotFound, Conflict → Conflict,
 * RevisionTooOld → Expired, RevisionTooNew → Timeout, TooLarge → RequestEntityTooLarge.
 */
import { ApiError, errors, StatusReason, type GroupResource } from '../api/status.js';
import { isStorageError, StorageErrorCode } from '../../storage/errors.js';

export const CONTINUE_EXPIRED_MESSAGE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

export const MODIFIED_MESSAGE = 'the object has been modified; please apply your changes to the latest version and try again';

export function fromStorageError(err: unknown, resource: GroupResource, name: string, listing = false): unknown {
  if (!isStorageError(err)) return err;
  switch (err.code) {
    case StorageErrorCode.KeyExists:
      return errors.alreadyExists(resource, name);
    case StorageErrorCode.KeyNotFound:
      return errors.notFound(resource, name);
    case StorageErrorCode.Conflict:
      return errors.conflict(resource, name, err.message);
    case StorageErrorCode.RevisionTooOld:
      return listing ? errors.expired(CONTINUE_EXPIRED_MESSAGE) : errors.expired(err.message);
    case StorageErrorCode.RevisionTooNew:
      return errors.timeout(err.message, 1);
    case StorageErrorCode.InvalidContinue:
      return errors.badRequest(err.message);
    case StorageErrorCode.TooLarge:
      return new ApiError(413, StatusReason.RequestEntityTooLarge, `Request entity too large: ${err.message}`);
    case StorageErrorCode.Unavailable:
      return errors.unavailable(err.message);
  }
}
