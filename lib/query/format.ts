import type { QueryResult } from './athena.js';

/** Bytes as a person reads them: `512 B`, `12.3 kB`, `4.5 MB`, `1.2 GB` (powers of 1000, as Athena bills). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** A result as an aligned text table; numbers right-aligned, NULL shown as `NULL`. */
export function formatTable(result: Pick<QueryResult, 'columns' | 'rows'>): string {
  const numeric = result.columns.map((column) =>
    /^(tinyint|smallint|integer|bigint|real|double|decimal)/.test(column.type),
  );
  const cells = result.rows.map((row) => row.map((value) => value ?? 'NULL'));
  const widths = result.columns.map((column, index) =>
    Math.max(column.name.length, ...cells.map((row) => row[index]!.length)),
  );
  const line = (values: string[]) =>
    values
      .map((value, index) =>
        numeric[index] ? value.padStart(widths[index]!) : value.padEnd(widths[index]!),
      )
      .join('  ')
      .trimEnd();
  return [
    line(result.columns.map((column) => column.name)),
    line(widths.map((width) => '-'.repeat(width))),
    ...cells.map(line),
  ].join('\n');
}

/** A result as CSV in Athena's own style: a header, every value quoted, NULL left empty. */
export function formatCsv(result: Pick<QueryResult, 'columns' | 'rows'>): string {
  const line = (values: readonly (string | null)[]) =>
    values.map((value) => (value === null ? '' : `"${value.replace(/"/g, '""')}"`)).join(',');
  return [line(result.columns.map((column) => column.name)), ...result.rows.map(line)].join('\n');
}

/** A result as one JSON object: rows as objects keyed by column name, the cost alongside. */
export function formatJson(result: QueryResult): string {
  return JSON.stringify({
    queryExecutionId: result.queryExecutionId,
    columns: result.columns,
    rows: result.rows.map((row) =>
      Object.fromEntries(result.columns.map((column, index) => [column.name, row[index]])),
    ),
    dataScannedBytes: result.dataScannedBytes,
    engineMs: result.engineMs,
    ...(result.outputLocation ? { outputLocation: result.outputLocation } : {}),
  });
}
