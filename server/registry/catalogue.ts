/**
 * @module server/registry/catalogue
 * Layer: registry. The catalogue of served resources: lookups by group/version/plural, by kind, and the
 * group order discovery advertises. Filled from resources/index.ts, where each kind is one line.
 */
import type { Resource } from './resource.js';

export interface GroupVersions {
  group: string;
  /** preferred first */
  versions: string[];
}

export class Catalogue {
  private readonly byPath = new Map<string, Resource>();
  private readonly byKind = new Map<string, Resource>();
  private readonly byGroupVersion = new Map<string, Resource[]>();
  readonly groups: GroupVersions[] = [];

  constructor(readonly resources: readonly Resource[]) {
    for (const resource of resources) {
      const gv = `${resource.group}/${resource.version}`;
      const path = `${gv}/${resource.plural}`;
      if (this.byPath.has(path)) throw new Error(`resource ${path} declared twice`);
      this.byPath.set(path, resource);
      const kindKey = `${gv}/${resource.kind}`;
      if (!this.byKind.has(kindKey)) this.byKind.set(kindKey, resource);
      const list = this.byGroupVersion.get(gv) ?? [];
      list.push(resource);
      this.byGroupVersion.set(gv, list);
      let group = this.groups.find((g) => g.group === resource.group);
      if (!group) {
        group = { group: resource.group, versions: [] };
        this.groups.push(group);
      }
      if (!group.versions.includes(resource.version)) group.versions.push(resource.version);
    }
  }

  find(group: string, version: string, plural: string): Resource | undefined {
    return this.byPath.get(`${group}/${version}/${plural}`);
  }

  /** Lookup used by code that names a resource it depends on (controllers, admission): it must exist. */
  get(group: string, plural: string): Resource {
    const found = this.resources.find((r) => r.group === group && r.plural === plural);
    if (!found) throw new Error(`no resource ${plural}${group ? `.${group}` : ''} in the catalogue`);
    return found;
  }

  forKind(group: string, version: string, kind: string): Resource | undefined {
    return this.byKind.get(`${group}/${version}/${kind}`);
  }

  inGroupVersion(group: string, version: string): readonly Resource[] {
    return this.byGroupVersion.get(`${group}/${version}`) ?? [];
  }

  hasGroupVersion(group: string, version: string): boolean {
    return this.byGroupVersion.has(`${group}/${version}`);
  }
}
