/**
 * @module server/http/protobuf
 * Layer: http. Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`, sent by kubectl
 * 1.32+ typed clients), decoded into the same JSON object model the JSON path produces. Undecodable input is a
 * 400; a kind kubemu has no protobuf schema for is a 415.
 */
import { parseApiVersion, schemaModel } from '../api/schema/model.js';
import { ProtobufDecoder, ProtobufError } from '../api/schema/protobuf.js';
import { ApiError, errors, StatusReason } from '../api/status.js';
import type { Resource } from '../registry/resource.js';

/** Kinds decoded from meta/v1 rather than from the resource's group (options bodies). */
const META_KINDS: Record<string, string> = {
  DeleteOptions: 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions',
};

let decoder: ProtobufDecoder | undefined;

export function decodeProtobufBody(bytes: Buffer, resource: Resource, expectedKind = resource.kind): unknown {
  decoder ??= new ProtobufDecoder(schemaModel());
  try {
    const { apiVersion, kind, raw } = decoder.envelope(bytes);
    const definition = META_KINDS[kind] ?? schemaModel().forKind({ ...parseApiVersion(apiVersion), kind })?.name;
    if (kind !== expectedKind || !definition) {
      throw new ApiError(
        415,
        StatusReason.UnsupportedMediaType,
        `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (no protobuf decoding for ${apiVersion} ${kind})`,
      );
    }
    return { apiVersion, kind, ...decoder.message(definition, raw) };
  } catch (err) {
    if (err instanceof ProtobufError) throw errors.badRequest(`the body of the request could not be decoded as protobuf: ${err.message}`);
    throw err;
  }
}
