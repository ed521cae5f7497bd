import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection, DuckDBType } from '@duckdb/node-api';
import type { GlueColumn } from '../glue/index.js';

/** A query Athena would refuse: its error type (`SYNTAX_ERROR`...), message and error category. */
export class QueryFailure extends Error {
  override name = 'QueryFailure';
  constructor(
    /** Athena's error name, printed before the message (`COLUMN_NOT_FOUND`). */
    readonly kind: string,
    message: string,
    /** AthenaError.ErrorType: 1000 user error, 1001 data error, 200 engine error. */
    readonly errorType = 1000,
    /** AthenaError.ErrorCategory: 1 system, 2 user. */
    readonly category = 2,
  ) {
    super(message);
  }
}

/** One object of a table, with the partition values its key holds. */
export interface TableObject {
  /** Names this version of the object: the same id always has the same bytes. */
  id: string;
  /** `s3://bucket/key`, Athena's `"$path"`. */
  uri: string;
  /** Its size in bytes as stored. */
  size: number;
  /** Reads the object's JSON lines (gzip objects inflated). */
  read(): Promise<Buffer>;
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

/** Hive types of Glue columns in DuckDB's spelling. */
function duckType(hiveType: string | undefined): string {
  const type = (hiveType ?? 'string').toLowerCase().trim();
  if (type === 'string' || type.startsWith('varchar') || type.startsWith('char')) return 'VARCHAR';
  if (type === 'int' || type === 'integer') return 'INTEGER';
  if (
    ['bigint', 'smallint', 'tinyint', 'double', 'float', 'boolean', 'date', 'timestamp'].includes(
      type,
    )
  )
    return type === 'float' ? 'FLOAT' : type.toUpperCase();
  if (/^decimal\(\d+,\s*\d+\)$/.test(type)) return type.toUpperCase();
  throw new QueryFailure(
    'HIVE_UNSUPPORTED_FORMAT',
    `local Athena reads columns of type string, int, bigint, double, float, boolean, date, timestamp or decimal, not ${hiveType}`,
  );
}

/** DuckDB's result types in the names Athena's ColumnInfo gives them. */
function athenaType(type: DuckDBType): string {
  const name = String(type);
  const simple: Record<string, string> = {
    BOOLEAN: 'boolean',
    TINYINT: 'tinyint',
    SMALLINT: 'smallint',
    INTEGER: 'integer',
    BIGINT: 'bigint',
    HUGEINT: 'decimal',
    UBIGINT: 'decimal',
    FLOAT: 'real',
    DOUBLE: 'double',
    VARCHAR: 'varchar',
    DATE: 'date',
    TIMESTAMP: 'timestamp',
    TIMESTAMP_MS: 'timestamp',
    'TIMESTAMP WITH TIME ZONE': 'timestamp with time zone',
    TIME: 'time',
    INTERVAL: 'interval day to second',
    UUID: 'varchar',
    BLOB: 'varbinary',
  };
  if (name in simple) return simple[name]!;
  if (name.startsWith('DECIMAL')) return 'decimal';
  if (name.endsWith('[]')) return 'array';
  if (name.startsWith('STRUCT')) return 'row';
  if (name.startsWith('MAP')) return 'map';
  return 'varchar';
}

/** A value as Athena writes it in results: doubles keep a decimal point, timestamps their millis. */
function text(value: unknown, athena: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && (athena === 'double' || athena === 'real'))
    return Number.isInteger(value) ? value.toFixed(1) : String(value);
  if (athena === 'timestamp') {
    const written = String(value);
    return /\.\d+$/.test(written) ? written : `${written}.000`;
  }
  return String(value);
}

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * DuckDB behind local Athena: each query gets a connection whose default catalog `awsdatacatalog`
 * holds one view per table it reads, over the table's objects (written to a temporary folder, as
 * DuckDB's httpfs extension cannot be fetched here) joined with each object's partition values.
 */
export class QueryEngine {
  private instance?: Promise<DuckDBInstance>;
  /** One query at a time: the catalog's views are rebuilt for each. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Parsed rows by column layout, and which object versions (and how many bytes) they hold. */
  private readonly caches = new Map<
    string,
    { name: string; objects: Map<string, number>; bytes: number }
  >();
  /** Object ids as small numbers: the view joins on them, far faster than on long strings. */
  private objectNumber = 0;

  /** @param cacheBytes how many bytes of objects the parsed-row cache may hold (default 1 GB). */
  constructor(private readonly cacheBytes = 1_000_000_000) {}

  private connect(): Promise<DuckDBConnection> {
    this.instance ??= DuckDBInstance.create(':memory:', { threads: '2' });
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

  /** Runs a query over `tables` with `database` as the default schema. */
  run(sql: string, database: string, tables: readonly EngineTable[]): Promise<QueryOutput> {
    const result = this.queue.then(() => this.runNow(sql, database, tables));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async runNow(
    sql: string,
    database: string,
    tables: readonly EngineTable[],
  ): Promise<QueryOutput> {
    const folder = await mkdtemp(join(tmpdir(), 'local-athena-'));
    const connection = await this.connect();
    try {
      await connection.run(`ATTACH IF NOT EXISTS ':memory:' AS awsdatacatalog`);
      const schemas = new Set([database, ...tables.map((table) => table.database)]);
      for (const schema of schemas) {
        await connection.run(`DROP SCHEMA IF EXISTS awsdatacatalog.${quote(schema)} CASCADE`);
        await connection.run(`CREATE SCHEMA awsdatacatalog.${quote(schema)}`);
      }
      let index = 0;
      for (const table of tables) await this.load(connection, folder, table, index++);
      await connection.run(`USE awsdatacatalog.${quote(database)}`);
      let reader;
      try {
        reader = await connection.runAndReadAll(sql);
      } catch (error: unknown) {
        throw failureOf(error, sql);
      }
      const types = reader.columnTypes().map(athenaType);
      return {
        columns: reader.columnNames().map((name, column) => ({ name, type: types[column]! })),
        rows: reader
          .getRowsJS()
          .map((row) => row.map((value, column) => text(value, types[column]!))),
      };
    } finally {
      connection.disconnectSync();
      await rm(folder, { recursive: true, force: true });
    }
  }

  /**
   * Creates the view of one table over its objects. Each object version's rows are parsed once
   * into a cache table (one per column layout) and reused while that version stands, as objects
   * never change in place; the view joins the cached rows of the objects this query reads with
   * their partition values.
   */
  private async load(
    connection: DuckDBConnection,
    folder: string,
    table: EngineTable,
    index: number,
  ): Promise<void> {
    const layout = JSON.stringify(
      table.columns.map((c) => [c.Name.toLowerCase(), duckType(c.Type)]),
    );
    let cache = this.caches.get(layout);
    if (!cache) {
      cache = {
        name: `memory.main.${quote(`cache_${this.caches.size}`)}`,
        objects: new Map(),
        bytes: 0,
      };
      this.caches.set(layout, cache);
      await connection.run(
        `CREATE OR REPLACE TABLE ${cache.name} (__object BIGINT${table.columns
          .map((c) => `, ${quote(c.Name.toLowerCase())} ${duckType(c.Type)}`)
          .join('')})`,
      );
    }
    const missing = table.objects.filter((object) => !cache.objects.has(object.id));
    if (cache.bytes + missing.reduce((sum, o) => sum + o.size, 0) > this.cacheBytes) {
      // Over the limit: start again with only what this query reads.
      await connection.run(`DELETE FROM ${cache.name}`);
      cache.objects.clear();
      cache.bytes = 0;
      missing.splice(0, missing.length, ...table.objects);
    }
    const numbers = missing.map(() => ++this.objectNumber);
    if (missing.length > 0)
      await this.parseInto(connection, folder, cache.name, table, missing, numbers);
    missing.forEach((object, n) => {
      cache.objects.set(object.id, numbers[n]!);
      cache.bytes += object.size;
    });

    const keys = table.partitionKeys.map((key) => key.Name.toLowerCase());
    const filesTable = `memory.main.${quote(`files_${index}`)}`;
    await connection.run(
      `CREATE OR REPLACE TABLE ${filesTable} (__object BIGINT, "$path" VARCHAR${keys
        .map((key) => `, ${quote(key)} VARCHAR`)
        .join('')})`,
    );
    if (table.objects.length > 0) {
      const rows = table.objects.map(
        (object) =>
          `(${cache.objects.get(object.id)!}, ${[object.uri, ...object.values].map(literal).join(', ')})`,
      );
      await connection.run(`INSERT INTO ${filesTable} VALUES ${rows.join(', ')}`);
    }
    const columns = table.columns.map((c) => `c.${quote(c.Name.toLowerCase())}`);
    const partitionColumns = table.partitionKeys.map(
      (key) =>
        `CAST(f.${quote(key.Name.toLowerCase())} AS ${duckType(key.Type)}) AS ${quote(key.Name.toLowerCase())}`,
    );
    const path = table.withPath ? [`f."$path" AS "$path"`] : [];
    const view = `awsdatacatalog.${quote(table.database)}.${quote(table.name)}`;
    await connection.run(
      `CREATE VIEW ${view} AS SELECT ${[...columns, ...partitionColumns, ...path].join(', ')} ` +
        `FROM ${cache.name} c JOIN ${filesTable} f ON c.__object = f.__object`,
    );
  }

  /** Parses objects' JSON lines into the cache table, columns matched to keys ignoring case. */
  private async parseInto(
    connection: DuckDBConnection,
    folder: string,
    cacheName: string,
    table: EngineTable,
    objects: readonly TableObject[],
    numbers: readonly number[],
  ): Promise<void> {
    const bodies = await Promise.all(objects.map((object) => object.read()));
    const files: string[] = [];
    for (const [number, body] of bodies.entries()) {
      const file = join(folder, `load-${number}.json`);
      await writeFile(file, body);
      files.push(file);
    }
    const names = `memory.main.${quote('loading')}`;
    await connection.run(`CREATE OR REPLACE TABLE ${names} (filename VARCHAR, __object BIGINT)`);
    await connection.run(
      `INSERT INTO ${names} VALUES ${files.map((file, n) => `(${literal(file)}, ${numbers[n]!})`).join(', ')}`,
    );
    const source = jsonKeys(bodies, table.columns);
    const select = table.columns.map((column) => {
      const key = source.get(column.Name.toLowerCase());
      // A column the JSON never has is NULL, as the JSON SerDe reads it.
      return key === undefined ? `NULL` : `r.${quote(key)}`;
    });
    const types = table.columns
      .filter((column) => source.has(column.Name.toLowerCase()))
      .map(
        (column) =>
          `${literal(source.get(column.Name.toLowerCase())!)}: ${literal(duckType(column.Type))}`,
      );
    const from =
      types.length > 0
        ? `read_json([${files.map(literal).join(', ')}], format = 'newline_delimited', ` +
          `columns = {${types.join(', ')}}, filename = true) r JOIN ${names} n ON r.filename = n.filename`
        : `read_ndjson_objects([${files.map(literal).join(', ')}], filename = true) r JOIN ${names} n ON r.filename = n.filename`;
    try {
      await connection.run(
        `INSERT INTO ${cacheName} SELECT n.__object, ${select.join(', ')} FROM ${from}`,
      );
    } catch (error: unknown) {
      throw new QueryFailure(
        'HIVE_BAD_DATA',
        `Error parsing field value of the table's JSON: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
        1001,
      );
    }
  }

  /** Closes the database. */
  async close(): Promise<void> {
    const instance = await this.instance;
    this.instance = undefined;
    instance?.closeSync();
  }
}

/**
 * The JSON key each column reads, by lower-case column name: the JSON SerDe matches keys ignoring
 * case, DuckDB's `read_json` does not. Keys come from each object's first line; a column none of
 * those has is looked for in the whole text.
 */
function jsonKeys(bodies: readonly Buffer[], columns: readonly GlueColumn[]): Map<string, string> {
  const keys = new Map<string, string>();
  const wanted = new Set(columns.map((column) => column.Name.toLowerCase()));
  const note = (key: string) => {
    if (wanted.has(key.toLowerCase()) && !keys.has(key.toLowerCase()))
      keys.set(key.toLowerCase(), key);
  };
  for (const body of bodies) {
    const end = body.indexOf(10);
    try {
      const first: unknown = JSON.parse(
        body.subarray(0, end < 0 ? undefined : end).toString('utf8'),
      );
      if (typeof first === 'object' && first !== null) Object.keys(first).forEach(note);
    } catch {
      // A malformed first line: the scan below still finds the keys.
    }
  }
  const missing = [...wanted].filter((name) => !keys.has(name));
  if (missing.length > 0) {
    const pattern = new RegExp(
      `"(${missing.map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})"\\s*:`,
      'gi',
    );
    for (const body of bodies) {
      for (const match of body.toString('utf8').matchAll(pattern)) note(match[1]!);
      if (keys.size === wanted.size) break;
    }
  }
  return keys;
}

/** `line:column` (1-based) of a character offset, as Athena's messages give it. */
export function position(sql: string, offset: number): string {
  const before = sql.slice(0, Math.max(0, Math.min(offset, sql.length)));
  const lines = before.split('\n');
  return `${lines.length}:${lines[lines.length - 1]!.length + 1}`;
}

/**
 * Athena's error for a DuckDB error. DuckDB's Node binding gives only the message (its first words
 * name the kind: `Binder Error: ...`, with `LINE n:` and a caret under the column), so that text
 * is the one place the kind and position can be read from.
 */
function failureOf(error: unknown, sql: string): QueryFailure {
  const message = error instanceof Error ? error.message : String(error);
  const kind = /^([A-Za-z ]+) Error: /.exec(message)?.[1] ?? '';
  const first = message.replace(/^[A-Za-z ]+ Error: /, '').split('\n')[0]!;
  const caret = /LINE (\d+): (.*)\n( *)\^/.exec(message);
  const at = caret
    ? `${caret[1]}:${Math.max(1, caret[3]!.length - `LINE ${caret[1]}: `.length + 1)}`
    : '1:1';
  const column = /Referenced column "([^"]+)" not found/.exec(first);
  if (column) {
    return new QueryFailure(
      'COLUMN_NOT_FOUND',
      `line ${at}: Column '${column[1]}' cannot be resolved`,
    );
  }
  const fn =
    /Scalar Function with name (\S+) does not exist|Function with name (\S+) does not exist/.exec(
      first,
    );
  if (fn) {
    return new QueryFailure(
      'FUNCTION_NOT_FOUND',
      `line ${at}: Function '${fn[1] ?? fn[2]}' not registered`,
    );
  }
  if (kind === 'Binder' || kind === 'Catalog' || kind === 'Parser') {
    return new QueryFailure('SYNTAX_ERROR', `line ${at}: ${first}`);
  }
  if (kind === 'Conversion' || kind === 'Invalid Input' || kind === 'Out of Range') {
    return new QueryFailure('INVALID_CAST_ARGUMENT', first, 1001);
  }
  void sql;
  return new QueryFailure('GENERIC_INTERNAL_ERROR', first, 200, 1);
}
