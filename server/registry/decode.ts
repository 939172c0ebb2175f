/**
 * @module server/registry/decode
 * Layer: registry. The first step of every write: a request body checked as upstream's decoder checks it,
 * and made into an object of the resource's kind. It changes what it is given (prunes, sets apiVersion/kind).
 */
import { isPlainObject, type KubeObject } from '../api/object.js';
import { checkConformance } from '../api/schema/conformance.js';
import { schemaModel } from '../api/schema/model.js';
import { errors } from '../api/status.js';
import type { WriteOptions } from './registry.js';
import type { Resource } from './resource.js';

/** A body must be an object, and name the expected apiVersion and kind if it names any (as the handlers check). */
export function checkTypeMeta(body: unknown, apiVersion: string, kind: string): KubeObject {
  if (!isPlainObject(body)) throw errors.badRequest('the body of the request must be a JSON or YAML object');
  const object = body as KubeObject;
  if (object.apiVersion !== undefined && object.apiVersion !== apiVersion) {
    throw errors.badRequest(`the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${apiVersion})`);
  }
  if (object.kind !== undefined && object.kind !== kind) {
    throw errors.badRequest(`the kind in the data (${String(object.kind)}) does not match the expected kind (${kind})`);
  }
  return object;
}

/** Body checks the decoder does upstream: object shape, apiVersion/kind, JSON types, unknown fields (pruned, or refused under Strict). */
export function decodeBody(resource: Resource, body: unknown, options: Pick<WriteOptions, 'fieldValidation' | 'warnings'>): KubeObject {
  const object = checkTypeMeta(body, resource.apiVersion, resource.kind);
  if (object.metadata !== undefined && !isPlainObject(object.metadata)) {
    throw errors.badRequest(`${resource.kind} in version "${resource.version}" cannot be handled as a ${resource.kind}: json: cannot unmarshal ${typeof object.metadata} into Go struct field ${resource.kind}.metadata of type v1.ObjectMeta`);
  }
  const validation = options.fieldValidation ?? 'Ignore';
  const definition = schemaModel().forKind(resource);
  if (definition) {
    // Unknown fields are never stored: rejected under Strict, dropped (with a warning under Warn) otherwise.
    const report = checkConformance(schemaModel(), definition, object, { prune: validation !== 'Strict' });
    if (report.typeError) throw errors.badRequest(`${resource.kind} in version "${resource.version}" cannot be handled as a ${resource.kind}: ${report.typeError}`);
    if (report.unknownFields.length > 0 && validation !== 'Ignore') {
      const texts = report.unknownFields.map((path) => `unknown field "${path}"`);
      if (validation === 'Strict') throw errors.badRequest(`strict decoding error: ${texts.join(', ')}`);
      for (const text of texts) options.warnings?.push(text);
    }
  }
  object.apiVersion = resource.apiVersion;
  object.kind = resource.kind;
  object.metadata ??= {};
  return object;
}
