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
  /** `s3://bucket/key`, Athena's `"$path"`. */
  uri: string;
  /** The object's JSON lines (gzip objects already inflated). */
  body: Buffer;
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

  /** Creates the view of one table over its objects, columns matched to JSON keys case-insensitively. */
  private async load(
    connection: DuckDBConnection,
    folder: string,
    table: EngineTable,
    index: number,
  ): Promise<void> {
    const files: string[] = [];
    for (const [number, object] of table.objects.entries()) {
      const file = join(folder, `t${index}-${number}.json`);
      await writeFile(file, object.body);
      files.push(file);
    }
    const keys = table.partitionKeys.map((key) => key.Name.toLowerCase());
    const filesTable = `memory.main.${quote(`files_${index}`)}`;
    await connection.run(
      `CREATE OR REPLACE TABLE ${filesTable} (filename VARCHAR, "$path" VARCHAR${keys
        .map((key) => `, ${quote(key)} VARCHAR`)
        .join('')})`,
    );
    if (files.length > 0) {
      const rows = table.objects.map(
        (object, number) =>
          `(${[files[number]!, object.uri, ...object.values].map(literal).join(', ')})`,
      );
      await connection.run(`INSERT INTO ${filesTable} VALUES ${rows.join(', ')}`);
    }
    const partitionColumns = table.partitionKeys.map(
      (key) =>
        `CAST(f.${quote(key.Name.toLowerCase())} AS ${duckType(key.Type)}) AS ${quote(key.Name.toLowerCase())}`,
    );
    const path = table.withPath ? [`f."$path" AS "$path"`] : [];
    const view = `awsdatacatalog.${quote(table.database)}.${quote(table.name)}`;
    const source = jsonKeys(table.objects, table.columns);
    const columns = table.columns.map((column) => {
      const key = source.get(column.Name.toLowerCase());
      // A column the JSON never has is NULL, as the JSON SerDe reads it.
      return key === undefined
        ? `CAST(NULL AS ${duckType(column.Type)}) AS ${quote(column.Name.toLowerCase())}`
        : `r.${quote(key)} AS ${quote(column.Name.toLowerCase())}`;
    });
    const types = table.columns
      .filter((column) => source.has(column.Name.toLowerCase()))
      .map(
        (column) =>
          `${literal(source.get(column.Name.toLowerCase())!)}: ${literal(duckType(column.Type))}`,
      );
    const select = [...columns, ...partitionColumns, ...path].join(', ');
    const from =
      files.length > 0
        ? `read_json([${files.map(literal).join(', ')}], format = 'newline_delimited', ` +
          `columns = {${types.join(', ')}}, ` +
          `filename = true) r JOIN ${filesTable} f ON r.filename = f.filename`
        : `(SELECT 1) r CROSS JOIN ${filesTable} f WHERE false`;
    await connection.run(`CREATE VIEW ${view} AS SELECT ${select} FROM ${from}`);
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
function jsonKeys(
  objects: readonly TableObject[],
  columns: readonly GlueColumn[],
): Map<string, string> {
  const keys = new Map<string, string>();
  const wanted = new Set(columns.map((column) => column.Name.toLowerCase()));
  const note = (key: string) => {
    if (wanted.has(key.toLowerCase()) && !keys.has(key.toLowerCase()))
      keys.set(key.toLowerCase(), key);
  };
  for (const object of objects) {
    const end = object.body.indexOf(10);
    try {
      const first: unknown = JSON.parse(
        object.body.subarray(0, end < 0 ? undefined : end).toString('utf8'),
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
    for (const object of objects) {
      for (const match of object.body.toString('utf8').matchAll(pattern)) note(match[1]!);
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
