// The objects a query reads, as files: linked into the query's folder, and their JSON keys.
import { createReadStream } from 'node:fs';
import { copyFile, link } from 'node:fs/promises';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { GlueColumn } from '../glue/index.js';
import type { EngineTable, TableObject } from './engine.js';
import { QueryFailure } from './sql.js';

/** How many objects' first lines are read for the JSON keys before every record's are. */
const FIRST_LINES_READ = 32;
/** Links made at once while a query's objects are snapshotted. */
const LINKS_AT_ONCE = 64;

/** One object of a table as the query reads it. */
export interface SnapshotFile {
  /** The name of its link in the query's folder. */
  path: string;
  object: TableObject;
  /**
   * Whether the link is made. A stored file with a Parquet copy is linked only if the query reads
   * its JSON after all (its copy is of another reading): the copy is the planned bytes already.
   */
  linked: boolean;
}

/** The objects of one table as linked into a query's folder: the files DuckDB reads. */
export interface Snapshot {
  table: EngineTable;
  /** Each object that has bytes. */
  files: SnapshotFile[];
}

/**
 * Links each object's file into `folder` (named by table and object, `.gz` kept so DuckDB inflates
 * it). A file already gone means the object was replaced or deleted since the query was planned:
 * Athena fails such a query too, naming the object.
 */
export async function snapshot(
  folder: string,
  tables: readonly EngineTable[],
  copied: (source: string) => boolean,
): Promise<Snapshot[]> {
  const snapshots: Snapshot[] = [];
  for (const [t, table] of tables.entries()) {
    const stored = table.objects.filter((object) => object.file !== undefined && object.size > 0);
    const files = stored.map((object, n) => ({
      path: join(folder, `${t}-${n}.json${object.gzip ? '.gz' : ''}`),
      object,
      linked: false,
    }));
    await linkAll(files.filter(({ object }) => !copied(object.file!)));
    snapshots.push({ table, files });
  }
  return snapshots;
}

/** Makes the links not made yet, a bounded number at once. */
export async function linkAll(files: readonly SnapshotFile[]): Promise<void> {
  const missing = files.filter((file) => !file.linked);
  for (let start = 0; start < missing.length; start += LINKS_AT_ONCE) {
    await Promise.all(missing.slice(start, start + LINKS_AT_ONCE).map(linkOne));
  }
}

async function linkOne(file: SnapshotFile): Promise<void> {
  const { path, object } = file;
  try {
    await link(object.file!, path);
    file.linked = true;
  } catch (error: unknown) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new QueryFailure(
        'HIVE_CANNOT_OPEN_SPLIT',
        `Error opening Hive split ${object.uri}: the object was replaced or deleted while the query waited to run`,
        1001,
      );
    }
    // Another file system (or one without hard links): a copy, made by the kernel.
    await copyFile(object.file!, path);
    file.linked = true;
  }
}

/**
 * The JSON key each column reads, by lower-case column name: the JSON SerDe matches keys ignoring
 * case, DuckDB's `read_json` does not. Keys come from the first lines of the first objects (read
 * until every column has one); a column none of those has is looked for among every record's keys.
 */
export async function jsonKeys(
  connection: DuckDBConnection,
  files: Snapshot['files'],
  list: string,
  columns: readonly GlueColumn[],
  firstKeysOf: (file: SnapshotFile) => Promise<string[] | null> | string[] | null,
): Promise<Map<string, string>> {
  const keys = new Map<string, string>();
  const wanted = new Set(columns.map((column) => column.Name.toLowerCase()));
  const note = (key: string) => {
    if (wanted.has(key.toLowerCase()) && !keys.has(key.toLowerCase()))
      keys.set(key.toLowerCase(), key);
  };
  for (const file of files.slice(0, FIRST_LINES_READ)) {
    if (keys.size === wanted.size) break;
    (await firstKeysOf(file))?.forEach(note);
  }
  if (keys.size < wanted.size && files.length > 0) {
    await linkAll(files);
    const reader = await connection.runAndReadAll(
      `SELECT DISTINCT unnest(json_keys(json)) FROM read_ndjson_objects(${list}, ignore_errors = true) ` +
        `WHERE json_type(json) = 'OBJECT'`,
    );
    for (const [key] of reader.getRowsJS()) note(String(key));
  }
  return keys;
}

/**
 * The keys of a file's first line; null when it is no JSON object or cannot be read (the look at
 * every record's keys still finds them, or the read fails naming the object).
 */
export async function firstKeys(path: string, gzip: boolean): Promise<string[] | null> {
  try {
    const first: unknown = JSON.parse(await firstLine(path, gzip));
    return typeof first === 'object' && first !== null ? Object.keys(first) : null;
  } catch {
    return null;
  }
}

/** The first line of a file (inflated if gzip), reading no further than it. */
async function firstLine(path: string, gzip: boolean): Promise<string> {
  const raw = createReadStream(path, { highWaterMark: 16_384 });
  const stream = gzip ? raw.pipe(createGunzip()) : raw;
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const end = chunk.indexOf(10);
      if (end >= 0) {
        chunks.push(chunk.subarray(0, end));
        break;
      }
      chunks.push(chunk);
    }
  } finally {
    raw.destroy();
    stream.destroy();
  }
  return Buffer.concat(chunks).toString('utf8');
}
