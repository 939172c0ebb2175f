/**
 * @module server/http/discovery
 * Layer: http. API discovery, all derived from the catalogue: legacy /api, /apis, /apis/<group>,
 * /api/v1 and /apis/<group>/<version>, and aggregated discovery (apidiscovery.k8s.io v2 and v2beta1) chosen
 * from the Accept header exactly as kubectl 1.27–1.33 negotiate it. Documents are built once and cached.
 */
import type { Request, Response } from 'express';
import { errors } from '../api/status.js';
import type { Catalogue } from '../registry/catalogue.js';
import type { Resource, Verb } from '../registry/resource.js';
import { negotiateDiscovery, type DiscoveryFormat } from './negotiation.js';
import type { DiscoveryRequest } from './request-info.js';
import { sendBytes } from './respond.js';

interface SubresourceEntry {
  name: string;
  kind: string;
  group?: string;
  version?: string;
  verbs: readonly Verb[];
}

function subresourcesOf(resource: Resource): SubresourceEntry[] {
  const entries: SubresourceEntry[] = [];
  if (resource.status) entries.push({ name: 'status', kind: resource.kind, verbs: ['get', 'patch', 'update'] });
  if (resource.scale) entries.push({ name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] });
  for (const sub of resource.subresources ?? []) entries.push(sub);
  return entries.sort((a, b) => (a.name < b.name ? -1 : 1));
}

function legacyResourceList(catalogue: Catalogue, group: string, version: string): Record<string, unknown> {
  const resources: Record<string, unknown>[] = [];
  for (const resource of catalogue.inGroupVersion(group, version)) {
    const entry: Record<string, unknown> = {
      name: resource.plural,
      singularName: resource.singular,
      namespaced: resource.namespaced,
      kind: resource.kind,
      verbs: [...resource.verbs].sort(),
    };
    if (resource.shortNames?.length) entry.shortNames = resource.shortNames;
    if (resource.categories?.length) entry.categories = resource.categories;
    resources.push(entry);
    for (const sub of subresourcesOf(resource)) {
      const subEntry: Record<string, unknown> = { name: `${resource.plural}/${sub.name}`, singularName: '', namespaced: resource.namespaced };
      if (sub.group !== undefined) subEntry.group = sub.group;
      if (sub.version !== undefined) subEntry.version = sub.version;
      subEntry.kind = sub.kind;
      subEntry.verbs = [...sub.verbs].sort();
      resources.push(subEntry);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}

function groupEntry(catalogue: Catalogue, group: string): Record<string, unknown> {
  const versions = catalogue.groups.find((g) => g.group === group)?.versions ?? [];
  const list = versions.map((version) => ({ groupVersion: `${group}/${version}`, version }));
  return { name: group, versions: list, preferredVersion: list[0] };
}

function aggregatedResource(resource: Resource): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    resource: resource.plural,
    responseKind: { group: resource.group, version: resource.version, kind: resource.kind },
    scope: resource.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: resource.singular,
    verbs: [...resource.verbs].sort(),
  };
  if (resource.shortNames?.length) entry.shortNames = resource.shortNames;
  if (resource.categories?.length) entry.categories = resource.categories;
  const subresources = subresourcesOf(resource).map((sub) => ({
    subresource: sub.name,
    responseKind: { group: sub.group ?? resource.group, version: sub.version ?? resource.version, kind: sub.kind },
    verbs: [...sub.verbs].sort(),
  }));
  if (subresources.length > 0) entry.subresources = subresources;
  return entry;
}

function aggregated(catalogue: Catalogue, format: 'v2' | 'v2beta1', core: boolean): Record<string, unknown> {
  const items = catalogue.groups
    .filter((g) => (g.group === '') === core)
    .map((g) => ({
      metadata: { name: g.group, creationTimestamp: null },
      versions: g.versions.map((version) => ({
        version,
        resources: catalogue.inGroupVersion(g.group, version).map(aggregatedResource),
        freshness: 'Current',
      })),
    }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${format}`, metadata: {}, items };
}

const cache = new WeakMap<Catalogue, Map<string, { type: string; body: Buffer }>>();

function cached(catalogue: Catalogue, key: string, build: () => { type: string; body: unknown }): { type: string; body: Buffer } {
  let byKey = cache.get(catalogue);
  if (!byKey) {
    byKey = new Map();
    cache.set(catalogue, byKey);
  }
  let hit = byKey.get(key);
  if (!hit) {
    const built = build();
    hit = { type: built.type, body: Buffer.from(JSON.stringify(built.body)) };
    byKey.set(key, hit);
  }
  return hit;
}

function aggregatedType(format: DiscoveryFormat): string {
  return `application/json;g=apidiscovery.k8s.io;v=${format};as=APIGroupDiscoveryList`;
}

export function serveDiscovery(req: Request, res: Response, info: DiscoveryRequest, catalogue: Catalogue): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw errors.methodNotAllowed();
  let document: { type: string; body: Buffer };
  switch (info.level) {
    case 'legacy-root':
    case 'groups': {
      const format = negotiateDiscovery(req.headers.accept);
      const core = info.level === 'legacy-root';
      document = cached(catalogue, `${info.level}:${format}`, () => {
        if (format !== 'legacy') return { type: aggregatedType(format), body: aggregated(catalogue, format, core) };
        if (core) {
          return {
            type: 'application/json',
            body: { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: req.headers.host ?? '' }] },
          };
        }
        return {
          type: 'application/json',
          body: { kind: 'APIGroupList', apiVersion: 'v1', groups: catalogue.groups.filter((g) => g.group !== '').map((g) => groupEntry(catalogue, g.group)) },
        };
      });
      res.setHeader('Vary', 'Accept');
      break;
    }
    case 'group':
      if (!catalogue.groups.some((g) => g.group === info.group)) throw errors.pathNotFound();
      document = cached(catalogue, `group:${info.group}`, () => ({
        type: 'application/json',
        body: { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(catalogue, info.group) },
      }));
      break;
    case 'group-version':
      if (!catalogue.hasGroupVersion(info.group, info.version)) throw errors.pathNotFound();
      document = cached(catalogue, `gv:${info.group}/${info.version}`, () => ({ type: 'application/json', body: legacyResourceList(catalogue, info.group, info.version) }));
      break;
  }
  sendBytes(res, 200, document.type, document.body);
}
