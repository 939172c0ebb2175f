import { describe, expect, it } from 'vitest';
import { isApiError } from '../api/status.js';
import { negotiateDiscovery, negotiateOutput } from './negotiation.js';

describe('negotiateOutput', () => {
  it('honours the Table accept kubectl sends, falling back to JSON', () => {
    expect(negotiateOutput('application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json')).toEqual({ kind: 'table', version: 'v1' });
    expect(negotiateOutput('application/json;as=Table;v=v1beta1;g=meta.k8s.io')).toEqual({ kind: 'table', version: 'v1beta1' });
    expect(negotiateOutput('application/json;as=Table;v=v2;g=meta.k8s.io, application/json')).toEqual({ kind: 'json' });
  });

  it('answers protobuf-preferring typed clients in JSON, and YAML when asked', () => {
    expect(negotiateOutput('application/vnd.kubernetes.protobuf,application/json')).toEqual({ kind: 'json' });
    expect(negotiateOutput('application/json, */*')).toEqual({ kind: 'json' });
    expect(negotiateOutput(undefined)).toEqual({ kind: 'json' });
    expect(negotiateOutput('application/yaml')).toEqual({ kind: 'yaml' });
    expect(negotiateOutput('application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io')).toEqual({ kind: 'metadata', version: 'v1' });
  });

  it('refuses what it cannot produce with 406', () => {
    try {
      negotiateOutput('application/vnd.kubernetes.protobuf');
      throw new Error('no error');
    } catch (err) {
      expect(isApiError(err) && err.code).toBe(406);
    }
  });
});

describe('negotiateDiscovery', () => {
  it('follows kubectl 1.27 (v2beta1) and 1.30+ (v2), legacy otherwise', () => {
    expect(negotiateDiscovery('application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json')).toBe('v2beta1');
    expect(
      negotiateDiscovery('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json'),
    ).toBe('v2');
    expect(negotiateDiscovery('application/json, */*')).toBe('legacy');
  });
});
