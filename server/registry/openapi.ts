/**
 * @module server/registry/openapi
 * Layer: registry. OpenAPI v3 documents per group-version and the v2 document, built (lazily, once) from
 * the catalogue and the schema model: the upstream definition names, descriptions and `x-kubernetes-*` extensions that
 * `kubectl explain` reads, and one operation per verb carrying the GVK and the `fieldValidation` parameter
 * through which kubectl detects server-side field validation. Request bodies are deliberately not described,
 * so client-side apply builds its patches from kubectl's own types.
 */
import { createHash } from 'node:crypto';
import type { TypeDef, TypeRef } from '../api/schema/declarations.js';
import { fieldSemantics } from '../api/schema/list-semantics.js';
import { gvkOf, schemaModel } from '../api/schema/model.js';
import { KUBERNETES_VERSION } from '../api/version.js';
import { encodeOpenApiV2 } from '../api/schema/openapi-v2-protobuf.js';
import type { Catalogue } from './catalogue.js';
import type { Resource } from './resource.js';

type Schema = Record<string, unknown>;

const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

/**
 * How a document refers to a definition: OpenAPI v3 wraps the reference in allOf (so a property can carry a
 * description and default beside it), v2 — as kube-openapi's v2 model requires — is a bare `$ref`.
 */
interface Dialect {
  ref(name: string): Schema;
  /** the schema of a value of no known type */
  untyped: Schema;
  /** whether a property referring to a struct carries `default: {}` */
  structDefaults: boolean;
}

const V3: Dialect = {
  ref: (name) => ({ allOf: [{ $ref: `#/components/schemas/${name}` }] }),
  untyped: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
  structDefaults: true,
};

const V2: Dialect = {
  ref: (name) => ({ $ref: `#/definitions/${name}` }),
  untyped: { type: 'object' },
  structDefaults: false,
};

function schemaOf(type: TypeRef, referenced: Set<string>, dialect: Dialect): Schema {
  switch (type.kind) {
    case 'string':
    case 'literal':
      return { type: 'string' };
    case 'number':
      return { type: 'integer', format: 'int32' };
    case 'boolean':
      return { type: 'boolean' };
    case 'array':
      return { type: 'array', items: schemaOf(type.items, referenced, dialect) };
    case 'map':
      return { type: 'object', additionalProperties: schemaOf(type.values, referenced, dialect) };
    case 'intOrString':
      referenced.add(INT_OR_STRING);
      return dialect.ref(INT_OR_STRING);
    case 'ref':
      referenced.add(type.name);
      return dialect.ref(type.name);
    default:
      return { ...dialect.untyped };
  }
}

function definitionSchema(def: TypeDef, referenced: Set<string>, dialect: Dialect): Schema {
  if (def.alias) {
    const schema = schemaOf(def.alias, referenced, dialect);
    if (def.name.endsWith('.Time') || def.name.endsWith('.MicroTime')) schema.format = 'date-time';
    return { ...schema, description: def.description };
  }
  const properties: Record<string, Schema> = {};
  const required: string[] = [];
  for (const [name, property] of Object.entries(def.properties ?? {})) {
    const schema: Schema = { ...schemaOf(property.type, referenced, dialect) };
    if (property.description) schema.description = property.description;
    if (property.type.kind === 'ref' && dialect.structDefaults) schema.default = {};
    const semantics = fieldSemantics(def.name, name);
    if (semantics) {
      if (semantics.listType) schema['x-kubernetes-list-type'] = semantics.listType;
      if (semantics.listMapKeys) schema['x-kubernetes-list-map-keys'] = semantics.listMapKeys;
      if (semantics.mergeKey) schema['x-kubernetes-patch-merge-key'] = semantics.mergeKey;
      const strategy = [semantics.strategy, semantics.retainKeys ? 'retainKeys' : undefined].filter(Boolean).join(',');
      if (strategy) schema['x-kubernetes-patch-strategy'] = strategy;
    }
    properties[name] = schema;
    if (property.required) required.push(name);
  }
  const schema: Schema = { description: def.description, type: 'object', properties };
  if (required.length > 0) schema.required = required;
  const gvk = gvkOf(def);
  if (gvk) schema['x-kubernetes-group-version-kind'] = [gvk];
  return schema;
}

const QUERY = (name: string, description: string): Schema => ({ name, in: 'query', description, schema: { type: 'string', uniqueItems: true } });
const WRITE_PARAMETERS = [
  QUERY('dryRun', 'When present, indicates that modifications should not be persisted.'),
  QUERY('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes.'),
  QUERY('fieldValidation', 'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn (the default), Strict.'),
];

function operation(resource: Resource, action: string, verbWord: string, write: boolean, scope: string): Schema {
  const group = resource.group ? resource.group.split('.')[0]!.replace(/^./, (c) => c.toUpperCase()) : 'Core';
  return {
    operationId: `${verbWord}${group}${resource.version.replace(/^./, (c) => c.toUpperCase())}${scope}${resource.kind}`,
    description: `${verbWord} ${resource.kind}`,
    parameters: write ? WRITE_PARAMETERS : [],
    responses: { '200': { description: 'OK' } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group: resource.group, version: resource.version, kind: resource.kind },
  };
}

function pathsFor(resource: Resource): Record<string, Schema> {
  const base = resource.group ? `/apis/${resource.group}/${resource.version}` : `/api/${resource.version}`;
  const collection = resource.namespaced ? `${base}/namespaces/{namespace}/${resource.plural}` : `${base}/${resource.plural}`;
  const scope = resource.namespaced ? 'Namespaced' : '';
  const item: Schema = {};
  const list: Schema = {};
  const verbs = new Set(resource.verbs);
  if (verbs.has('list')) list.get = operation(resource, 'list', 'list', false, scope);
  if (verbs.has('create')) list.post = operation(resource, 'post', 'create', true, scope);
  if (verbs.has('deletecollection')) list.delete = operation(resource, 'deletecollection', 'deleteCollection', false, scope);
  if (verbs.has('get')) item.get = operation(resource, 'get', 'read', false, scope);
  if (verbs.has('update')) item.put = operation(resource, 'put', 'replace', true, scope);
  if (verbs.has('patch')) item.patch = operation(resource, 'patch', 'patch', true, scope);
  if (verbs.has('delete')) item.delete = operation(resource, 'delete', 'delete', true, scope);
  const paths: Record<string, Schema> = {};
  if (Object.keys(list).length > 0) paths[collection] = list;
  if (Object.keys(item).length > 0) paths[`${collection}/{name}`] = item;
  return paths;
}

export interface OpenApiDocument {
  bytes: Buffer;
  hash: string;
}

/** The v3 document path of a group-version, as the index names it: `api/v1`, `apis/apps/v1`. */
export function groupVersionPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

export class OpenApiDocuments {
  private readonly built = new Map<string, OpenApiDocument>();

  constructor(private readonly catalogue: Catalogue) {}

  /** All group-version paths with their hashes (derived without building the documents). */
  index(): Record<string, { serverRelativeURL: string }> {
    const paths: Record<string, { serverRelativeURL: string }> = {};
    for (const { group, versions } of this.catalogue.groups) {
      for (const version of versions) {
        const path = groupVersionPath(group, version);
        paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${this.hashOf(path)}` };
      }
    }
    return paths;
  }

  /** The content is a function of kubemu's code and the kubernetes-types declarations, so is its hash. */
  hashOf(path: string): string {
    return createHash('sha512').update(`kubemu-openapi-1:${KUBERNETES_VERSION.gitVersion}:${path}:${this.catalogue.resources.length}`).digest('hex').toUpperCase();
  }

  document(path: string): OpenApiDocument | undefined {
    const cached = this.built.get(path);
    if (cached) return cached;
    const entry = this.catalogue.groups.flatMap((g) => g.versions.map((v) => ({ group: g.group, version: v }))).find((gv) => groupVersionPath(gv.group, gv.version) === path);
    if (!entry) return undefined;
    const resources = this.catalogue.inGroupVersion(entry.group, entry.version);
    const paths: Record<string, Schema> = {};
    for (const resource of resources) Object.assign(paths, pathsFor(resource));
    const schemas = definitions(resources, V3);
    const body = { openapi: '3.0.0', info: { title: 'Kubernetes', version: KUBERNETES_VERSION.gitVersion }, paths, components: { schemas } };
    const document = { bytes: Buffer.from(JSON.stringify(body)), hash: this.hashOf(path) };
    this.built.set(path, document);
    return document;
  }

  /**
   * The OpenAPI v2 document (`/openapi/v2`): every served kind's definitions with upstream's names, the
   * `x-kubernetes-*` extensions and descriptions — what `kubectl explain --output=plaintext-openapiv2` and
   * kubectl 1.27/1.28 read. Operations are left out (kubectl reads them only without OpenAPI v3).
   */
  v2(): OpenApiV2Document {
    if (this.swagger) return this.swagger;
    const body = {
      swagger: '2.0',
      info: { title: 'Kubernetes', version: KUBERNETES_VERSION.gitVersion },
      paths: {},
      definitions: definitions(this.catalogue.resources, V2),
    };
    const hash = createHash('sha512').update(JSON.stringify(body)).digest('hex').toUpperCase();
    this.swagger = { json: Buffer.from(JSON.stringify(body)), protobuf: encodeOpenApiV2(body), hash };
    return this.swagger;
  }

  private swagger: OpenApiV2Document | undefined;
}

export interface OpenApiV2Document {
  json: Buffer;
  protobuf: Buffer;
  hash: string;
}

/** The definitions of the kinds (and their lists) and of everything they refer to, sorted by name. */
function definitions(resources: readonly Resource[], dialect: Dialect): Record<string, Schema> {
  const model = schemaModel();
  const referenced = new Set<string>();
  for (const resource of resources) {
    const def = model.forKind(resource);
    if (def) referenced.add(def.name);
    const list = model.forKind({ ...resource, kind: `${resource.kind}List` });
    if (list) referenced.add(list.name);
  }
  const schemas: Record<string, Schema> = {};
  const pending = [...referenced];
  while (pending.length > 0) {
    const name = pending.pop() as string;
    if (schemas[name]) continue;
    if (name === INT_OR_STRING) {
      schemas[name] = { type: 'string', format: 'int-or-string', 'x-kubernetes-int-or-string': true };
      continue;
    }
    const def = model.get(name);
    // Every reference must resolve (kubectl refuses a v2 document with a dangling one).
    if (!def) {
      schemas[name] = { ...dialect.untyped };
      continue;
    }
    const before = new Set(referenced);
    schemas[name] = definitionSchema(def, referenced, dialect);
    for (const added of referenced) if (!before.has(added)) pending.push(added);
  }
  return Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
