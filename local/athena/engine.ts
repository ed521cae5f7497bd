import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { GlueColumn } from '../glue/index.js';
import { firstKeys, jsonKeys, linkAll, snapshot } from './files.js';
import type { Snapshot, SnapshotFile } from './files.js';
import { ParquetCache } from './ParquetCache.js';
import type { CacheRequest } from './ParquetCache.js';
import {
  athenaType,
  duckType,
  failureOf,
  literal,
  position,
  QueryFailure,
  quote,
  text,
} from './sql.js';

export { position, QueryFailure } from './sql.js';

/** One object of a table, with the partition values its key holds. */
export interface TableObject {
  /** `s3://bucket/key`, Athena's `"$path"`. */
  uri: string;
  /** Its size in bytes as stored. */
  size: number;
  /**
   * The file holding its bytes, which never change while the file exists (local S3 writes a new
   * file for every write); undefined for an empty object.
   */
  file: string | undefined;
  /** Whether the bytes are gzip (Firehose's `.gz` keys), inflated as they are read. */
  gzip: boolean;
  values: readonly string[];
}

/** A table as the engine loads it: its columns, partition keys and the objects that are read. */
export interface EngineTable {
  database: string;
  name: string;
  columns: readonly GlueColumn[];
  partitionKeys: readonly GlueColumn[];
  objects: readonly TableObject[];
  /** Whether the query names Athena's hidden `"$path"` column. */
  withPath: boolean;
}

/** A query's answer: column names and Athena types, rows as text (null for SQL NULL). */
export interface QueryOutput {
  columns: { name: string; type: string }[];
  rows: (string | null)[][];
}

/** The column DuckDB's `read_json` names each row's file in (no JSON key is spelled so). */
const FILE_COLUMN = '__local_athena_file';
/** The column of the files table holding a Parquet copy's place in the list read. */
const INDEX_COLUMN = '__local_athena_index';
/** The start of each query's folder of links. */
const QUERY_FOLDER = 'query-';
/** Options of the engine's Parquet cache. */
export interface QueryEngineOptions {
  /** Whether objects read are copied to Parquet for later queries (default true). */
  cache?: boolean;
  /** The most bytes of Parquet kept (default 512 MiB); the least recently read go first. */
  cacheBytes?: number;
  now?: () => number;
}

/** The cache's size unless told: Parquet copies of about 3 GB of delivered JSON. */
const CACHE_BYTES = 512 * 1024 * 1024;

/**
 * DuckDB behind local Athena: each query gets a connection whose default catalog `awsdatacatalog`
 * holds one view per table it reads, DuckDB's own JSON reader over the objects' stored files (in
 * parallel, no byte of them passing through JavaScript), joined with each object's partition values.
 * After a query has answered, the stored files it read as JSON are copied to Parquet in the
 * background (see {@link ParquetCache}); later queries read the copies of the files that have one.
 */
export class QueryEngine {
  private instance?: Promise<DuckDBInstance>;
  /** One query at a time: the catalog's views are rebuilt for each. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly cache?: ParquetCache;
  /** Queries started and not finished: the cache is written only while there are none. */
  private active = 0;
  private idleWaiters: (() => void)[] = [];
  /** Stored files waiting for their Parquet copy, by copy name. */
  private readonly pending = new Map<string, CacheRequest>();
  /** Copies whose writing failed on bad data: not tried again (their queries fail too). */
  private readonly uncopyable = new Set<string>();
  private building?: Promise<void>;
  private builder?: Promise<DuckDBConnection>;
  private closing = false;

  /**
   * @param scratch where each query links the files it reads: on the file system of local S3's
   * data, so the links are hard links (anywhere else they are copies); the cache is its `cache/`.
   */
  constructor(
    private readonly scratch: string = tmpdir(),
    options: QueryEngineOptions = {},
  ) {
    if (options.cache !== false) {
      this.cache = new ParquetCache(join(scratch, 'cache'), {
        maxBytes: options.cacheBytes ?? CACHE_BYTES,
        now: options.now ?? Date.now,
      });
    }
  }

  private connect(): Promise<DuckDBConnection> {
    // DuckDB (about 35 MiB) loads with the first query, not when CloudFormation makes a workgroup.
    // A thread per core: the JSON reader splits the objects among them.
    this.instance ??= import('@duckdb/node-api').then(({ DuckDBInstance }) =>
      DuckDBInstance.create(':memory:', { threads: String(availableParallelism()) }),
    );
    return this.instance.then((instance) => instance.connect());
  }

  /**
   * Parses `sql` into DuckDB's statement tree, or throws a {@link QueryFailure} with the syntax
   * error's line and column, as Athena reports it.
   */
  async parse(sql: string): Promise<unknown> {
    const connection = await this.connect();
    try {
      const reader = await connection.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR)', [
        sql,
      ]);
      const parsed = JSON.parse(String(reader.getRowsJS()[0]![0])) as {
        error: boolean;
        error_message?: string;
        position?: string;
        statements?: unknown[];
      };
      if (parsed.error) {
        const at = position(sql, Number(parsed.position ?? 0));
        throw new QueryFailure(
          'SYNTAX_ERROR',
          `line ${at}: ${parsed.error_message ?? 'syntax error'}`,
        );
      }
      const statements = parsed.statements ?? [];
      if (statements.length !== 1) {
        throw new QueryFailure(
          'SYNTAX_ERROR',
          `Only one sql statement is allowed. Got: ${statements.length}`,
        );
      }
      return statements[0];
    } finally {
      connection.disconnectSync();
    }
  }

  /**
   * Runs a query over `tables` with `database` as the default schema. The objects' files are linked
   * at once, before the query waits its turn: local S3 removes a replaced object's file a moment
   * after the change, and the link keeps the bytes that were planned (and counted) readable.
   */
  run(sql: string, database: string, tables: readonly EngineTable[]): Promise<QueryOutput> {
    this.active++;
    const folder = mkdir(this.scratch, { recursive: true }).then(() =>
      mkdtemp(join(this.scratch, QUERY_FOLDER)),
    );
    // Linked (or failed) at once; a failure is the query's, without waiting for its turn.
    const copied = (source: string) => this.cache?.hasSource(source) ?? false;
    const prepared = folder.then(async (path) => ({
      path,
      tables: await snapshot(path, tables, copied),
    }));
    const previous = this.queue;
    const result = prepared.then(async (snapshots) => {
      await previous;
      await this.cache?.open();
      return this.runNow(sql, database, snapshots.tables, snapshots.path);
    });
    this.queue = previous.then(() => result).catch(() => undefined);
    return result
      .then(({ output, uncached }) => {
        // Only after the answer: copying never adds to the time of the query that read the JSON.
        for (const request of uncached) {
          const name = ParquetCache.nameOf(request);
          if (!this.uncopyable.has(name)) this.pending.set(name, request);
        }
        return output;
      })
      .finally(async () => {
        const path = await folder.catch(() => undefined);
        if (path) await rm(path, { recursive: true, force: true });
        this.active--;
        if (this.active === 0) {
          this.idleWaiters.splice(0).forEach((wake) => wake());
          // Even with nothing to copy: the pass ends by dropping copies of stored files gone.
          this.startBuilding();
        }
      });
  }

  /** Resolves once no query is started and unfinished. */
  private idle(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private startBuilding(): void {
    if (this.building || this.closing || !this.cache) return;
    this.building = this.build(this.cache).finally(() => {
      this.building = undefined;
      if (this.pending.size > 0 && this.active === 0) this.startBuilding();
    });
  }

  /**
   * Writes the pending Parquet copies one stored file at a time, each only once no query runs (a
   * query that arrives meanwhile runs beside the one copy under way, never after the rest), then
   * drops copies of stored files gone and the least recently read beyond the size.
   */
  private async build(cache: ParquetCache): Promise<void> {
    await cache.open();
    for (;;) {
      await this.idle();
      if (this.closing) return;
      const [name, request] = this.pending.entries().next().value ?? [];
      if (name === undefined || request === undefined) break;
      this.pending.delete(name);
      if (cache.has(request)) continue;
      const temporary = cache.temporary();
      try {
        this.builder ??= this.connect();
        const connection = await this.builder;
        // Read before the copy: a file gone by then fails the copy too, never a wrong key list.
        const keys = await firstKeys(request.source, request.gzip);
        await connection.run(
          `COPY (SELECT ${request.keys.map((key, n) => `${key} AS c${n}`).join(', ')} ` +
            `FROM read_json(${literal(request.source)}, ` +
            `format = 'newline_delimited', columns = {${request.columns}}, ` +
            `compression = '${request.gzip ? 'gzip' : 'uncompressed'}')) ` +
            `TO ${literal(temporary)} (FORMAT parquet)`,
        );
        await cache.add(request, temporary, keys);
      } catch {
        // The stored file is gone (its object replaced or deleted) or unreadable, or the engine
        // is closing: later queries read it as JSON, as they always may.
        if (!this.closing) this.uncopyable.add(name);
        await rm(temporary, { force: true });
      }
    }
    await this.idle();
    if (!this.closing) await cache.prune(() => this.active === 0 && !this.closing);
  }

  /** Resolves once every pending Parquet copy is written (or given up) and the cache pruned. */
  async cacheSettled(): Promise<void> {
    while (this.building) await this.building;
  }

  /** The Parquet cache's size. */
  cacheSize(): { files: number; bytes: number } {
    return this.cache?.size() ?? { files: 0, bytes: 0 };
  }

  /** Removes every Parquet copy and forgets the pending ones (so the next query reads JSON). */
  async clearCache(): Promise<void> {
    this.pending.clear();
    await this.cacheSettled();
    await this.idle();
    await this.cache?.open();
    await this.cache?.clear();
  }

  private async runNow(
    sql: string,
    database: string,
    snapshots: readonly Snapshot[],
    folder: string,
  ): Promise<{ output: QueryOutput; uncached: CacheRequest[] }> {
    const connection = await this.connect();
    try {
      await connection.run(`ATTACH IF NOT EXISTS ':memory:' AS awsdatacatalog`);
      const schemas = new Set([database, ...snapshots.map(({ table }) => table.database)]);
      for (const schema of schemas) {
        await connection.run(`DROP SCHEMA IF EXISTS awsdatacatalog.${quote(schema)} CASCADE`);
        await connection.run(`CREATE SCHEMA awsdatacatalog.${quote(schema)}`);
      }
      let index = 0;
      const uncached: CacheRequest[] = [];
      for (const table of snapshots)
        uncached.push(...(await this.load(connection, table, index++)));
      await connection.run(`USE awsdatacatalog.${quote(database)}`);
      let reader;
      try {
        reader = await connection.runAndReadAll(sql);
      } catch (error: unknown) {
        throw failureOf(error, folder, snapshots);
      }
      const types = reader.columnTypes().map(athenaType);
      const output = {
        columns: reader.columnNames().map((name, column) => ({ name, type: types[column]! })),
        rows: reader
          .getRowsJS()
          .map((row) => row.map((value, column) => text(value, types[column]!))),
      };
      return { output, uncached };
    } finally {
      connection.disconnectSync();
    }
  }

  /**
   * Creates the view of one table: over its objects' Parquet copies where the cache has them and
   * `read_json` over the other files, with the Glue columns' types (so DuckDB samples nothing),
   * joined by file name with each object's partition values. Answers the files read as JSON, to
   * be copied once the query has answered.
   */
  private async load(
    connection: DuckDBConnection,
    { table, files }: Snapshot,
    index: number,
  ): Promise<CacheRequest[]> {
    // Every link of this table, by pattern (no list of thousands of names in the SQL), unless the
    // folder's own name would be read as a pattern.
    const folder = dirname(files[0]?.path ?? '');
    const list = /[*?[\]{}]/.test(folder)
      ? `[${files.map(({ path }) => literal(path)).join(', ')}]`
      : literal(join(folder, `${index}-*`));
    const source = await jsonKeys(connection, files, list, table.columns, (file) => {
      // A copied file's keys are known (its stored file may be gone by now); null is an answer.
      const known = file.linked ? undefined : this.cache?.firstKeys(file.object.file!);
      return known !== undefined
        ? known
        : firstKeys(file.linked ? file.path : file.object.file!, file.object.gzip);
    });
    const columns = table.columns.map((column) => {
      const name = column.Name.toLowerCase();
      const key = source.get(name);
      // A column the JSON never has is NULL, as the JSON SerDe reads it.
      return `${key === undefined ? `CAST(NULL AS ${duckType(column.Type)})` : `r.${quote(key)}`} AS ${quote(name)}`;
    });
    const partitionColumns = table.partitionKeys.map(
      (key) =>
        `CAST(f.${quote(key.Name.toLowerCase())} AS ${duckType(key.Type)}) AS ${quote(key.Name.toLowerCase())}`,
    );
    const path = table.withPath ? [`f."$path" AS "$path"`] : [];
    const read = table.columns.filter((column) => source.has(column.Name.toLowerCase()));
    const types = read
      .map(
        (column) =>
          `${literal(source.get(column.Name.toLowerCase())!)}: ${literal(duckType(column.Type))}`,
      )
      .join(', ');
    const jsonColumns = read.map((column) => quote(source.get(column.Name.toLowerCase())!));

    // Which files have a Parquet copy of this very reading (same stored file, keys and types).
    const named: { name: string; object: TableObject }[] = [];
    const json: string[] = [];
    const parquet: string[] = [];
    const place = new Map<string, number>();
    const uncached: CacheRequest[] = [];
    const unread: SnapshotFile[] = [];
    for (const file of files) {
      const { path: link, object } = file;
      const request = {
        source: object.file!,
        columns: types,
        keys: jsonColumns,
        gzip: object.gzip,
      };
      const copy = read.length > 0 ? this.cache?.lookup(request) : undefined;
      if (copy !== undefined && !place.has(copy)) {
        place.set(copy, parquet.length);
        parquet.push(copy);
        named.push({ name: copy, object });
        continue;
      }
      json.push(link);
      unread.push(file);
      named.push({ name: link, object });
      if (read.length > 0 && this.cache) uncached.push(request);
    }
    // Fails, naming the object, if a file with no copy of this reading is gone since planning.
    await linkAll(unread);

    const keys = table.partitionKeys.map((key) => key.Name.toLowerCase());
    const filesTable = `memory.main.${quote(`files_${index}`)}`;
    await connection.run(
      `CREATE OR REPLACE TABLE ${filesTable} (${quote(FILE_COLUMN)} VARCHAR, ${quote(INDEX_COLUMN)} ` +
        `UBIGINT, "$path" VARCHAR${keys.map((key) => `, ${quote(key)} VARCHAR`).join('')})`,
    );
    const appender = await connection.createAppender(`files_${index}`, 'main', 'memory');
    try {
      for (const { name, object } of named) {
        appender.appendVarchar(name);
        const position = place.get(name);
        if (position !== undefined) appender.appendUBigInt(BigInt(position));
        else appender.appendNull();
        for (const value of [object.uri, ...object.values]) appender.appendVarchar(value);
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }

    const select = `SELECT ${[...columns, ...partitionColumns, ...path].join(', ')}`;
    const view = `awsdatacatalog.${quote(table.database)}.${quote(table.name)}`;
    const parts: string[] = [];
    if (parquet.length > 0 && read.length > 0) {
      // Joined on the copy's place in the list, a number: cheaper than its name on every row.
      // The copies' columns are named by place (`c0`...), so no JSON key meets DuckDB's own
      // `file_index`; they get their keys' names back here.
      const renamed = jsonColumns.map((key, n) => `c${n} AS ${key}`);
      parts.push(
        `${select} FROM (SELECT ${[...renamed, `file_index AS ${quote(INDEX_COLUMN)}`].join(', ')} ` +
          `FROM read_parquet([${parquet.map((copy) => literal(copy)).join(', ')}])) r ` +
          `JOIN ${filesTable} f ON r.${quote(INDEX_COLUMN)} = f.${quote(INDEX_COLUMN)}`,
      );
    }
    if (json.length > 0 || files.length === 0) {
      const jsonList =
        parquet.length === 0 ? list : `[${json.map((link) => literal(link)).join(', ')}]`;
      const reader =
        files.length === 0
          ? // No file to read: the same columns, no rows.
            `(SELECT NULL::VARCHAR AS ${quote(FILE_COLUMN)} WHERE false)`
          : read.length > 0
            ? `read_json(${jsonList}, format = 'newline_delimited', columns = {${types}}, ` +
              `filename = ${literal(FILE_COLUMN)})`
            : // No column is in the JSON: a row of NULLs per line.
              `read_ndjson_objects(${jsonList}, filename = ${literal(FILE_COLUMN)})`;
      parts.push(
        `${select} FROM ${reader} r JOIN ${filesTable} f ON r.${quote(FILE_COLUMN)} = f.${quote(FILE_COLUMN)}`,
      );
    }
    await connection.run(`CREATE VIEW ${view} AS ${parts.join(' UNION ALL ')}`);
    return uncached;
  }

  /** Removes the query folders a stopped run left behind. */
  async sweep(): Promise<void> {
    const names = await readdir(this.scratch).catch(() => [] as string[]);
    await Promise.all(
      names
        .filter((name) => name.startsWith(QUERY_FOLDER))
        .map((name) => rm(join(this.scratch, name), { recursive: true, force: true })),
    );
  }

  /** Removes the query folders a stopped run left behind; opens the cache (its own sweep). */
  async open(): Promise<void> {
    await this.sweep();
    await this.cache?.open();
  }

  /** Stops the cache's writing (its file under way is never listed) and closes the database. */
  async close(): Promise<void> {
    this.closing = true;
    this.pending.clear();
    this.idleWaiters.splice(0).forEach((wake) => wake());
    const builder = await this.builder?.catch(() => undefined);
    builder?.interrupt();
    await this.building;
    builder?.disconnectSync();
    this.builder = undefined;
    const instance = await this.instance;
    this.instance = undefined;
    instance?.closeSync();
  }
}
