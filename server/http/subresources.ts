/**
 * @module server/http/subresources
 * Layer: http. Subresources with behaviour of their own: serviceaccounts/token (TokenRequest),
 * pods/binding, pods/eviction, and the kubelet-backed pod endpoints (log, exec, attach, portforward, proxy),
 * which answer with a clear Status until a kubelet serves the pod.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isPlainObject, type Kube } from '../api/object.js';
import { errors, type ApiError } from '../api/status.js';
import { rfc3339 } from '../api/time.js';
import { bindPod } from '../registry/binding.js';
import { evictPod } from '../registry/eviction.js';
import type { DeleteOptionsBody, Registry } from '../registry/registry.js';
import type { Resource } from '../registry/resource.js';
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

/** The pod endpoints a kubelet streams (upgraded connections), as the refusal names them. */
export const KUBELET_ENDPOINTS: Readonly<Record<string, string>> = {
  exec: 'exec',
  attach: 'attach',
  portforward: 'port-forward',
  proxy: 'the proxy',
};

/**
 * The answer to a pod endpoint no kubelet of kubemu serves (exec, attach, port-forward, proxy — and logs
 * when kubemu runs no kubelets): 400 with a message kubectl and client libraries print as it is, whether
 * the request is plain HTTP, a WebSocket or a SPDY upgrade.
 */
export function kubeletRefusal(registry: Registry, resource: Resource, namespace: string | undefined, name: string, subresource: string): ApiError {
  const pod = registry.read(resource, namespace, name).object as Kube<Pod>;
  if (!pod.spec?.nodeName) return errors.badRequest(`pod ${pod.metadata.name} does not have a host assigned`);
  const what = KUBELET_ENDPOINTS[subresource] ?? subresource;
  if (subresource === 'log') return errors.badRequest(`the log of pod ${pod.metadata.name} is not served: no kubelet serves node ${pod.spec.nodeName}`);
  return errors.badRequest(`${what} is not available for pod ${pod.metadata.name}: kubemu simulates node ${pod.spec.nodeName} and runs no containers`);
}

function kubeletEndpoint(subresource: string): SubresourceHandler {
  return (call) => {
    throw kubeletRefusal(call.registry, call.resource, call.info.namespace, call.info.name as string, subresource);
  };
}

export const SUBRESOURCE_HANDLERS: Readonly<Record<string, SubresourceHandler>> = {
  'serviceaccounts/token': token,
  'pods/binding': binding,
  'pods/eviction': eviction,
  'pods/log': kubeletEndpoint('log'),
  'pods/exec': kubeletEndpoint('exec'),
  'pods/attach': kubeletEndpoint('attach'),
  'pods/portforward': kubeletEndpoint('portforward'),
  'pods/proxy': kubeletEndpoint('proxy'),
};
