/**
 * @module server/http/scale
 * Layer: http. The /scale subresource (autoscaling/v1 Scale) of deployments, replicasets, statefulsets and
 * replicationcontrollers: GET renders the Scale, PUT/PATCH change only spec.replicas of the owner.
 */
import { cloneJson } from '../api/equality.js';
import { isPlainObject, type KubeObject } from '../api/object.js';
import { errors } from '../api/status.js';
import { applyPatch, type PatchType } from '../registry/patch.js';
import { checkTypeMeta } from '../registry/decode.js';
import { MODIFIED_MESSAGE } from '../registry/errors.js';
import type { ScaleAccess } from '../registry/resource.js';
import type { ApiCall } from './api.js';
import { sendJson } from './respond.js';

const SCALE_API_VERSION = 'autoscaling/v1';

function toScale(object: KubeObject, scale: ScaleAccess): KubeObject {
  const meta = object.metadata;
  return {
    kind: 'Scale',
    apiVersion: SCALE_API_VERSION,
    metadata: {
      name: meta.name,
      namespace: meta.namespace,
      uid: meta.uid,
      resourceVersion: meta.resourceVersion,
      creationTimestamp: meta.creationTimestamp,
    },
    spec: { replicas: scale.specReplicas(object) },
    status: { replicas: scale.statusReplicas(object), selector: scale.selector(object) },
  };
}

/** The replicas a Scale body asks for, validated as upstream validates Scale. */
function requestedReplicas(scaleObject: unknown, name: string): number {
  const spec = isPlainObject(scaleObject) ? scaleObject.spec : undefined;
  const replicas = isPlainObject(spec) ? spec.replicas : undefined;
  if (replicas === undefined || replicas === null) return 0;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas)) throw errors.badRequest('Scale.spec.replicas must be an integer');
  if (replicas < 0) {
    throw errors.badRequest(`Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${replicas}: must be greater than or equal to 0`);
  }
  return replicas;
}

export async function serveScale(call: ApiCall, decode: (type?: PatchType) => Promise<unknown>, patchTypeOf: (contentType: string | undefined) => PatchType): Promise<void> {
  const { info, resource, registry, res } = call;
  const scale = resource.scale as ScaleAccess;
  const namespace = resource.namespaced ? info.namespace : undefined;
  const name = info.name as string;
  if (info.verb === 'get') return sendJson(res, 200, toScale(registry.read(resource, namespace, name).object, scale));
  if (info.verb !== 'update' && info.verb !== 'patch') throw errors.methodNotAllowed();
  const patchType = info.verb === 'patch' ? patchTypeOf(call.req.headers['content-type']) : undefined;
  const body = await decode(patchType);
  const result = await registry.transform(resource, namespace, name, call.writeOptions(), (current) => {
    const currentScale = toScale(current, scale);
    // A Scale has no lists, so strategic and apply patches merge like merge patches.
    const wanted = checkTypeMeta(patchType ? applyPatch(patchType === 'json' ? 'json' : 'merge', currentScale, body, resource) : body, SCALE_API_VERSION, 'Scale');
    const wantedVersion = isPlainObject(wanted.metadata) ? wanted.metadata.resourceVersion : undefined;
    if (wantedVersion && wantedVersion !== current.metadata.resourceVersion) throw errors.conflict(resource.groupResource, name, MODIFIED_MESSAGE);
    const next = cloneJson(current);
    scale.setSpecReplicas(next, requestedReplicas(wanted, name));
    return next;
  });
  sendJson(res, 200, toScale(result.object, scale));
}
