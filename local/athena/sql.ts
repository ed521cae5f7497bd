// Athena's SQL side of local Athena: its error type, the type names on both sides, quoting, and
// the translation of DuckDB's errors into Athena's.
import type { DuckDBType } from '@duckdb/node-api';
import type { Snapshot } from './files.js';

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

/** Hive types of Glue columns in DuckDB's spelling. */
export function duckType(hiveType: string | undefined): string {
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
export function athenaType(type: DuckDBType): string {
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
export function text(value: unknown, athena: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && (athena === 'double' || athena === 'real'))
    return Number.isInteger(value) ? value.toFixed(1) : String(value);
  if (athena === 'timestamp') {
    const written = String(value);
    return /\.\d+$/.test(written) ? written : `${written}.000`;
  }
  return String(value);
}

/** An SQL identifier, quoted. */
export function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

/** An SQL string literal. */
export function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
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
export function failureOf(
  error: unknown,
  folder: string,
  snapshots: readonly Snapshot[],
): QueryFailure {
  const message = error instanceof Error ? error.message : String(error);
  const kind = /^([A-Za-z ]+) Error: /.exec(message)?.[1] ?? '';
  const first = message.replace(/^[A-Za-z ]+ Error: /, '').split('\n')[0]!;
  if (first.includes(folder)) {
    // An error in the data of one of the objects (DuckDB names the file): name the object instead.
    const uris = new Map(
      snapshots.flatMap(({ files }) => files.map(({ path, object }) => [path, object.uri])),
    );
    const named = first.replace(/"([^"]+)"/g, (whole, path: string) => uris.get(path) ?? whole);
    return new QueryFailure(
      'HIVE_BAD_DATA',
      `Error parsing field value of the table's JSON: ${named.trim()}`,
      1001,
    );
  }
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
  return new QueryFailure('GENERIC_INTERNAL_ERROR', first, 200, 1);
}
