import type { GlueService } from '../glue/index.js';
import { AwsError } from '../http.js';
import type { S3Store } from '../s3/S3Store.js';
import { position, QueryFailure } from './engine.js';
import type { EngineTable, TableObject } from './engine.js';
import { tableLayout } from './partitions.js';
import { partitionFilter, referencesColumn, tableReferences } from './pruning.js';

/** What planning reads: Glue's tables, local S3's objects, and the time date projections end at. */
export interface PlanSources {
  glue: GlueService;
  s3: S3Store;
  now: () => number;
}

/** The query being planned: its text, where it runs, and the database unqualified tables are in. */
export interface PlanRequest {
  region: string;
  query: string;
  database: string;
}

/** One object a query reads, with its partition values and where local S3 keeps its bytes. */
export interface PlannedObject {
  bucket: string;
  key: string;
  values: string[];
  size: number;
  dataId: string | undefined;
}

/** One table a query reads: the engine's view of it, its objects, and their bytes in all. */
export interface PlannedTable {
  table: Omit<EngineTable, 'objects'>;
  objects: PlannedObject[];
  bytes: number;
}

/** Which objects each table of the query reads: its partitions that the WHERE clause can match. */
export function planQuery(
  sources: PlanSources,
  request: PlanRequest,
  statement: unknown,
): PlannedTable[] {
  const seen = new Map<string, PlannedTable>();
  for (const reference of tableReferences(statement)) {
    const schema = reference.schema || request.database;
    const id = `${schema}.${reference.table}`;
    if (seen.has(id)) continue;
    seen.set(id, planTable(sources, request, statement, { ...reference, schema }));
  }
  return [...seen.values()];
}

function planTable(
  sources: PlanSources,
  request: PlanRequest,
  statement: unknown,
  reference: { schema: string; table: string; location: number },
): PlannedTable {
  const { glue, s3 } = sources;
  const at = position(request.query, reference.location);
  try {
    glue.database(request.region, reference.schema);
  } catch {
    throw new QueryFailure(
      'SCHEMA_NOT_FOUND',
      `line ${at}: Schema '${reference.schema}' does not exist`,
    );
  }
  let table;
  try {
    table = glue.table(request.region, reference.schema, reference.table);
  } catch {
    throw new QueryFailure(
      'TABLE_NOT_FOUND',
      `line ${at}: Table 'awsdatacatalog.${reference.schema}.${reference.table}' does not exist`,
    );
  }
  const layout = tableLayout(table, sources.now());
  const filter = partitionFilter(statement, reference, layout.keys);
  const objects: PlannedObject[] = [];
  let keys: readonly string[] = [];
  try {
    keys = s3.buckets.keys(layout.bucket);
  } catch (error: unknown) {
    if (!(error instanceof AwsError)) throw error;
    throw new QueryFailure(
      'HIVE_PATH_ALREADY_EXISTS',
      `The location s3://${layout.bucket}/ of table ${reference.table} is in no bucket: ${error.message}`,
      1000,
    );
  }
  for (const key of keys) {
    if (!key.startsWith(layout.prefix) || key.endsWith('/')) continue;
    const values = layout.partitionOf(key);
    if (!values || !filter(values)) continue;
    const latest = s3.buckets.versions(layout.bucket, key)[0];
    if (!latest || latest.deleteMarker) continue;
    objects.push({
      bucket: layout.bucket,
      key,
      values,
      size: latest.size,
      dataId: latest.dataId,
    });
  }
  return {
    table: {
      database: table.DatabaseName,
      name: table.Name,
      columns: table.StorageDescriptor?.Columns ?? [],
      partitionKeys: table.PartitionKeys ?? [],
      withPath: referencesColumn(statement, '$path'),
    },
    objects,
    bytes: objects.reduce((sum, object) => sum + object.size, 0),
  };
}

/** A planned table as the engine loads it: each object read from local S3's file of its bytes. */
export function engineTable(s3: S3Store, planned: PlannedTable): EngineTable {
  return { ...planned.table, objects: planned.objects.map((object) => tableObject(s3, object)) };
}

function tableObject(s3: S3Store, object: PlannedObject): TableObject {
  return {
    uri: `s3://${object.bucket}/${object.key}`,
    size: object.size,
    values: object.values,
    file: object.dataId === undefined ? undefined : s3.buckets.data.path(object.dataId),
    gzip: object.key.endsWith('.gz'),
  };
}
