/**
 * @module server/http/request-info
 * Layer: http. The ONE place API URLs are parsed (mirrors k8s.io/apiserver's RequestInfoFactory): discovery
 * paths, and resource paths with their verb, group, version, namespace, resource, name and subresource.
 */

export type ResourceVerb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

/** A method upstream's installer registers no route for on this path shape: answered 405. */
export type RequestVerb = ResourceVerb | 'unsupported';

export interface ResourceRequest {
  kind: 'resource';
  verb: RequestVerb;
  group: string;
  version: string;
  resource: string;
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
}

export type DiscoveryRequest =
  | { kind: 'discovery'; level: 'legacy-root' }
  | { kind: 'discovery'; level: 'groups' }
  | { kind: 'discovery'; level: 'group'; group: string }
  | { kind: 'discovery'; level: 'group-version'; group: string; version: string };

export type RequestInfo = ResourceRequest | DiscoveryRequest | { kind: 'unknown' };

export interface ParsedRequest {
  info: RequestInfo;
  query: URLSearchParams;
}

const parsedRequests = new WeakMap<object, ParsedRequest>();

/**
 * A request's info and query, parsed once however many layers ask (the in-flight limit, the API handler, the
 * upgrade handler): from the raw request line, so a method and path are judged the same everywhere.
 */
export function requestInfoOf(req: { method?: string | undefined; url?: string | undefined }): ParsedRequest {
  let parsed = parsedRequests.get(req);
  if (!parsed) {
    const url = req.url ?? '/';
    const question = url.indexOf('?');
    const query = new URLSearchParams(question < 0 ? '' : url.slice(question + 1));
    parsed = { info: parseRequestInfo(req.method ?? 'GET', question < 0 ? url : url.slice(0, question), query), query };
    parsedRequests.set(req, parsed);
  }
  return parsed;
}

/** Subresources of a namespace itself: /api/v1/namespaces/<name>/status and /finalize. */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

function isWatch(query: URLSearchParams): boolean {
  const value = query.get('watch');
  return value !== null && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

export function parseRequestInfo(method: string, pathname: string, query: URLSearchParams): RequestInfo {
  let parts: string[];
  try {
    parts = pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
  } catch {
    return { kind: 'unknown' };
  }
  let group: string;
  let version: string | undefined;
  let rest: string[];
  if (parts[0] === 'api') {
    group = '';
    version = parts[1];
    if (version === undefined) return { kind: 'discovery', level: 'legacy-root' };
    rest = parts.slice(2);
  } else if (parts[0] === 'apis') {
    if (parts[1] === undefined) return { kind: 'discovery', level: 'groups' };
    group = parts[1];
    version = parts[2];
    if (version === undefined) return { kind: 'discovery', level: 'group', group };
    rest = parts.slice(3);
  } else {
    return { kind: 'unknown' };
  }
  if (rest.length === 0) return { kind: 'discovery', level: 'group-version', group, version };

  let watch = isWatch(query);
  const watchPath = rest[0] === 'watch';
  if (watchPath) {
    watch = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length > 1) {
    namespace = rest[1];
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2] as string)) rest = rest.slice(2);
  }
  const [resource, name, subresource, ...extra] = rest;
  if (!resource || extra.length > 0) return { kind: 'unknown' };

  return { kind: 'resource', verb: verbOf(method, watch, watchPath, name, subresource), group, version, resource, namespace, name, subresource };
}

/**
 * The verb of a method on a path, as upstream's RequestInfo names it — or `unsupported` where its installer
 * registers no route: anything but GET under /watch/, POST to a named object, PUT or PATCH on a collection,
 * methods outside the API's (OPTIONS, CONNECT, TRACE…). Routes that depend on the resource's scope (the
 * all-namespaces path of a namespaced kind) are checked once the resource is known.
 */
function verbOf(method: string, watch: boolean, watchPath: boolean, name: string | undefined, subresource: string | undefined): RequestVerb {
  if (watchPath && method !== 'GET' && method !== 'HEAD') return 'unsupported';
  switch (method) {
    case 'GET':
    case 'HEAD':
      return watch ? 'watch' : name ? 'get' : 'list';
    case 'POST':
      return name && !subresource ? 'unsupported' : 'create';
    case 'PUT':
      return name ? 'update' : 'unsupported';
    case 'PATCH':
      return name ? 'patch' : 'unsupported';
    case 'DELETE':
      return name ? 'delete' : 'deletecollection';
    default:
      return 'unsupported';
  }
}
