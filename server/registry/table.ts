/**
 * @module server/registry/table
 * Layer: registry. Converts objects to meta.k8s.io Tables with each kind's printer (or the default
 * Name / Created At table), always with every column (the wide ones too — kubectl hides them), and a row
 * object per includeObject=None|Metadata|Object (mirrors apiserver's TableConvertor and printers).
 */
import type { KubeObject } from '../api/object.js';
import { schemaModel } from '../api/schema/model.js';
import { errors } from '../api/status.js';
import type { CellValue, Resource, TableColumn, TablePrinter } from './resource.js';

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function parseIncludeObject(value: string | null): IncludeObject {
  if (value === null || value === '' || value === 'Metadata') return 'Metadata';
  if (value === 'None' || value === 'Object') return value;
  throw errors.badRequest(`Unable to convert to Table as requested: unrecognized includeObject value: ${JSON.stringify(value)}`);
}

export interface ColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export interface TableOptions {
  includeObject: IncludeObject;
  /** meta.k8s.io version the client asked for */
  version: 'v1' | 'v1beta1';
  /** omit columnDefinitions (watch events after the first) */
  noHeaders?: boolean;
  listMeta: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  now: number;
}

/** Columns every printer starts and ends with. */
export const nameColumn: TableColumn = { name: 'Name', type: 'string', format: 'name', description: [OBJECT_META, 'name'] };
export const ageColumn: TableColumn = { name: 'Age', type: 'string', description: [OBJECT_META, 'creationTimestamp'] };

const defaultPrinter: TablePrinter = {
  columns: [nameColumn, { name: 'Created At', type: 'date', description: [OBJECT_META, 'creationTimestamp'] }],
  cells: (object) => [object.metadata.name ?? '', object.metadata.creationTimestamp ?? '0001-01-01T00:00:00Z'],
};

const resolved = new WeakMap<readonly TableColumn[], ColumnDefinition[]>();

function columnDefinitions(columns: readonly TableColumn[]): ColumnDefinition[] {
  let definitions = resolved.get(columns);
  if (!definitions) {
    definitions = columns.map((column) => ({
      name: column.name,
      type: column.type,
      format: column.format ?? '',
      description: typeof column.description === 'string' ? column.description : schemaModel().doc(column.description[0], column.description[1]),
      priority: column.priority ?? 0,
    }));
    resolved.set(columns, definitions);
  }
  return definitions;
}

function rowObject(object: KubeObject, options: TableOptions): unknown {
  if (options.includeObject === 'None') return null;
  if (options.includeObject === 'Object') return object;
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${options.version}`, metadata: object.metadata };
}

export function toTable(resource: Resource, objects: readonly KubeObject[], options: TableOptions): Record<string, unknown> {
  const printer = resource.table ?? defaultPrinter;
  const rows = objects.map((object) => {
    const cells: CellValue[] = printer.cells(object, options.now);
    const row: Record<string, unknown> = { cells };
    const conditions = printer.conditions?.(object);
    if (conditions) row.conditions = conditions;
    row.object = rowObject(object, options);
    return row;
  });
  const metadata: Record<string, unknown> = {};
  if (options.listMeta.resourceVersion) metadata.resourceVersion = options.listMeta.resourceVersion;
  if (options.listMeta.continue) metadata.continue = options.listMeta.continue;
  if (options.listMeta.remainingItemCount !== undefined) metadata.remainingItemCount = options.listMeta.remainingItemCount;
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${options.version}`,
    metadata,
    columnDefinitions: options.noHeaders ? null : columnDefinitions(printer.columns),
    rows,
  };
}
