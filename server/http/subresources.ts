/**
 * @module server/http/subresources
 * Layer: http. Subresources with behaviour of their own: serviceaccounts/token (TokenRequest),
 * pods/binding, pods/eviction, and the kubelet-backed pod endpoints (log, exec, attach, portforward, proxy),
 * which answer with a clear Status until a kubelet serves the pod.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isPlainObject, type Kube } from '../api/object.js';
import { errors } from '../api/status.js';
import { rfc3339 } from '../api/time.js';
import { bindPod } from '../registry/binding.js';
import { evictPod } from '../registry/eviction.js';
import type { DeleteOptionsBody } from '../registry/registry.js';
import type { ApiCall, SubresourceHandler } from './api.js';
import { sendJson } from './respond.js';

const SUCCESS = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
const signingKey = randomBytes(32);

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function requireVerb(call: ApiCall, verb: 'create' | 'get'): void {
  if (call.info.verb !== verb) throw errors.methodNotAllowed();
}

/** TokenRequest: a signed, JWT-shaped service account token (kubemu does not authenticate it). */
const token: SubresourceHandler = async (call) => {
  requireVerb(call, 'create');
  const { registry, resource, info } = call;
  const account = registry.read(resource, info.namespace, info.name as string).object;
  const request = (await call.body('TokenRequest')) as { spec?: { audiences?: string[]; expirationSeconds?: number } } & Record<string, unknown>;
  const now = registry.now();
  const seconds = request.spec?.expirationSeconds ?? 3600;
  const expires = new Date(now.getTime() + seconds * 1000);
  const claims = {
    aud: request.spec?.audiences?.length ? request.spec.audiences : ['https://kubernetes.default.svc.cluster.local'],
    exp: Math.floor(expires.getTime() / 1000),
    iat: Math.floor(now.getTime() / 1000),
    iss: 'https://kubernetes.default.svc.cluster.local',
    'kubernetes.io': { namespace: info.namespace, serviceaccount: { name: account.metadata.name, uid: account.metadata.uid } },
    nbf: Math.floor(now.getTime() / 1000),
    sub: `system:serviceaccount:${info.namespace}:${account.metadata.name}`,
  };
  const unsigned = `${base64url({ alg: 'HS256', kid: 'kubemu' })}.${base64url(claims)}`;
  const signature = createHmac('sha256', signingKey).update(unsigned).digest('base64url');
  sendJson(call.res, 201, {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name: account.metadata.name, namespace: info.namespace, creationTimestamp: null },
    spec: { audiences: claims.aud, expirationSeconds: seconds, boundObjectRef: null },
    status: { token: `${unsigned}.${signature}`, expirationTimestamp: rfc3339(expires) },
  });
};

/** pods/binding: what the scheduler posts — sets spec.nodeName once, with the PodScheduled condition. */
const binding: SubresourceHandler = async (call) => {
  requireVerb(call, 'create');
  const body = await call.body('Binding');
  const target = isPlainObject(body) && isPlainObject(body.target) ? body.target : undefined;
  const node = typeof target?.name === 'string' ? target.name : '';
  if (!node) throw errors.badRequest('Binding.target.name is required');
  await bindPod(call.registry, call.info.namespace as string, call.info.name as string, node, call.writeOptions());
  sendJson(call.res, 201, SUCCESS);
};

const eviction: SubresourceHandler = async (call) => {
  requireVerb(call, 'create');
  const body = await call.body('Eviction');
  const deleteOptions = (isPlainObject(body) && isPlainObject(body.deleteOptions) ? body.deleteOptions : {}) as DeleteOptionsBody;
  await evictPod(call.registry, call.info.namespace as string, call.info.name as string, deleteOptions, call.writeOptions());
  sendJson(call.res, 201, SUCCESS);
};

/** Pod endpoints a kubelet serves; answered honestly until the pod's kubelet serves them. */
function kubeletEndpoint(what: string): SubresourceHandler {
  return (call) => {
    const pod = call.registry.read(call.resource, call.info.namespace, call.info.name as string).object as Kube<Pod>;
    if (!pod.spec?.nodeName) throw errors.badRequest(`pod ${pod.metadata.name} does not have a host assigned`);
    throw errors.badRequest(`${what} of pod ${pod.metadata.name} is not served: no kubelet serves node ${pod.spec.nodeName}`);
  };
}

export const SUBRESOURCE_HANDLERS: Readonly<Record<string, SubresourceHandler>> = {
  'serviceaccounts/token': token,
  'pods/binding': binding,
  'pods/eviction': eviction,
  'pods/log': kubeletEndpoint('the log'),
  'pods/exec': kubeletEndpoint('exec'),
  'pods/attach': kubeletEndpoint('attach'),
  'pods/portforward': kubeletEndpoint('port-forward'),
  'pods/proxy': kubeletEndpoint('the proxy'),
};
