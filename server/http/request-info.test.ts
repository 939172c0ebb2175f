import { describe, expect, it } from 'vitest';
import { parseRequestInfo } from './request-info.js';

const info = (method: string, path: string, query = '') => parseRequestInfo(method, path, new URLSearchParams(query));

describe('parseRequestInfo', () => {
  it('recognises discovery paths', () => {
    expect(info('GET', '/api')).toEqual({ kind: 'discovery', level: 'legacy-root' });
    expect(info('GET', '/apis')).toEqual({ kind: 'discovery', level: 'groups' });
    expect(info('GET', '/apis/apps')).toEqual({ kind: 'discovery', level: 'group', group: 'apps' });
    expect(info('GET', '/apis/apps/v1')).toEqual({ kind: 'discovery', level: 'group-version', group: 'apps', version: 'v1' });
    expect(info('GET', '/api/v1')).toEqual({ kind: 'discovery', level: 'group-version', group: '', version: 'v1' });
  });

  it.each([
    ['GET', '/api/v1/pods', '', { verb: 'list', resource: 'pods', namespace: undefined, name: undefined }],
    ['GET', '/api/v1/namespaces/ns/pods', '', { verb: 'list', resource: 'pods', namespace: 'ns' }],
    ['GET', '/api/v1/namespaces/ns/pods/p', '', { verb: 'get', name: 'p' }],
    ['GET', '/api/v1/namespaces/ns/pods', 'watch=true', { verb: 'watch' }],
    ['GET', '/api/v1/namespaces/ns/pods', 'watch=1', { verb: 'watch' }],
    ['GET', '/api/v1/namespaces/ns/pods', 'watch=false', { verb: 'list' }],
    ['GET', '/api/v1/watch/namespaces/ns/pods', '', { verb: 'watch', namespace: 'ns', resource: 'pods' }],
    ['POST', '/api/v1/namespaces/ns/pods', '', { verb: 'create' }],
    ['PUT', '/api/v1/namespaces/ns/pods/p/status', '', { verb: 'update', name: 'p', subresource: 'status' }],
    ['PATCH', '/apis/apps/v1/namespaces/ns/deployments/d/scale', '', { verb: 'patch', group: 'apps', subresource: 'scale' }],
    ['DELETE', '/api/v1/namespaces/ns/configmaps', '', { verb: 'deletecollection' }],
    ['DELETE', '/api/v1/namespaces/ns/configmaps/c', '', { verb: 'delete', name: 'c' }],
    ['GET', '/api/v1/namespaces', '', { verb: 'list', resource: 'namespaces', namespace: undefined }],
    ['GET', '/api/v1/namespaces/foo', '', { verb: 'get', resource: 'namespaces', name: 'foo', namespace: 'foo' }],
    ['PUT', '/api/v1/namespaces/foo/finalize', '', { verb: 'update', resource: 'namespaces', name: 'foo', subresource: 'finalize' }],
    ['GET', '/api/v1/namespaces/foo/status', '', { verb: 'get', resource: 'namespaces', name: 'foo', subresource: 'status' }],
    ['GET', '/api/v1/nodes/n1', '', { verb: 'get', resource: 'nodes', name: 'n1', namespace: undefined }],
    ['OPTIONS', '/api/v1/pods', '', { verb: 'unsupported' }],
    ['CONNECT', '/api/v1/namespaces/ns/pods/p', '', { verb: 'unsupported' }],
    ['DELETE', '/api/v1/watch/namespaces/ns/configmaps/c', '', { verb: 'unsupported' }],
    ['POST', '/api/v1/watch/namespaces/ns/configmaps', '', { verb: 'unsupported' }],
    ['POST', '/api/v1/namespaces/ns/configmaps/c', '', { verb: 'unsupported' }],
    ['POST', '/api/v1/namespaces/ns/pods/p/binding', '', { verb: 'create', subresource: 'binding' }],
    ['PUT', '/api/v1/namespaces/ns/configmaps', '', { verb: 'unsupported' }],
    ['PATCH', '/api/v1/nodes', '', { verb: 'unsupported' }],
  ])('%s %s?%s', (method, path, query, expected) => {
    expect(info(method, path, query)).toMatchObject({ kind: 'resource', ...expected });
  });

  it('rejects paths it cannot map', () => {
    expect(info('GET', '/healthz')).toEqual({ kind: 'unknown' });
    expect(info('GET', '/api/v1/namespaces/ns/pods/p/log/extra')).toEqual({ kind: 'unknown' });
    expect(info('GET', '/api/v1/%E0%A4%A')).toEqual({ kind: 'unknown' });
  });
});
