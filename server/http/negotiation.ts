/**
 * @module server/http/negotiation
 * Layer: http. Content negotiation: which representation the client accepts (JSON, YAML, a meta.k8s.io
 * Table, PartialObjectMetadata, an aggregated-discovery document) — judged from `Accept` alone, as upstream does.
 */
import { errors } from '../api/status.js';

export interface MediaType {
  type: string;
  params: Record<string, string>;
}

export function parseMediaType(text: string): MediaType {
  const [base = '', ...params] = text.split(';');
  const parsed: Record<string, string> = {};
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq > 0) parsed[param.slice(0, eq).trim().toLowerCase()] = param.slice(eq + 1).trim().replace(/^"|"$/g, '');
  }
  return { type: base.trim().toLowerCase(), params: parsed };
}

export function parseAccept(header: string | undefined): MediaType[] {
  if (!header) return [];
  return header
    .split(',')
    .map((part) => parseMediaType(part))
    .filter((m) => m.type !== '');
}

export type Output =
  | { kind: 'json' }
  | { kind: 'yaml' }
  | { kind: 'table'; version: 'v1' | 'v1beta1' }
  | { kind: 'metadata'; version: 'v1' | 'v1beta1' };

const META_VERSIONS = new Set(['v1', 'v1beta1']);

/** The response representation for an API object or list; throws 406 when nothing acceptable is served. */
export function negotiateOutput(header: string | undefined): Output {
  const accepted = parseAccept(header);
  if (accepted.length === 0) return { kind: 'json' };
  for (const media of accepted) {
    const as = media.params.as;
    if (media.type === 'application/json' && as) {
      if (media.params.g !== 'meta.k8s.io' || !META_VERSIONS.has(media.params.v ?? '')) continue;
      const version = media.params.v as 'v1' | 'v1beta1';
      if (as === 'Table') return { kind: 'table', version };
      if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') return { kind: 'metadata', version };
      continue;
    }
    if (media.type === 'application/json' || media.type === '*/*' || media.type === 'application/*') return { kind: 'json' };
    if (media.type === 'application/yaml') return { kind: 'yaml' };
  }
  throw errors.notAcceptable('only the following media types are accepted: application/json, application/yaml');
}

export type DiscoveryFormat = 'v2' | 'v2beta1' | 'legacy';

/** Aggregated discovery v2 if asked for, else v2beta1, else the legacy documents. */
export function negotiateDiscovery(header: string | undefined): DiscoveryFormat {
  let beta = false;
  for (const media of parseAccept(header)) {
    if (media.type !== 'application/json' || media.params.g !== 'apidiscovery.k8s.io' || media.params.as !== 'APIGroupDiscoveryList') continue;
    if (media.params.v === 'v2') return 'v2';
    if (media.params.v === 'v2beta1') beta = true;
  }
  return beta ? 'v2beta1' : 'legacy';
}
