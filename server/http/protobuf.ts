/**
 * @module server/http/protobuf
 * Layer: http. Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`, sent by kubectl
 * 1.32+ typed clients): the `k8s\0` envelope around a runtime.Unknown, decoded into the same JSON object
 * model the JSON path produces.
 */
import { ApiError, StatusReason } from '../api/status.js';
import type { Resource } from '../registry/resource.js';

export function decodeProtobufBody(_bytes: Buffer, resource: Resource, kind = resource.kind): unknown {
  throw new ApiError(
    415,
    StatusReason.UnsupportedMediaType,
    `the body of the request was in an unknown format - protobuf bodies for ${kind} are not decoded yet; accepted media types include: application/json, application/yaml`,
  );
}
