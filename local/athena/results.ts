import { AwsError } from '../http.js';
import type { S3Store } from '../s3/S3Store.js';
import { QueryFailure } from './engine.js';
import type { QueryOutput } from './engine.js';
import { invalid } from './input.js';
import type { Json } from './input.js';
import { splitS3Uri } from './partitions.js';

/** GetQueryResults returns at most this many rows a page. */
export const MAX_RESULTS_PER_PAGE = 1000;

/** The bucket and key of an output location, or Athena's error naming the field. */
export function splitOutput(location: string, field: string): { bucket: string; key: string } {
  try {
    return splitS3Uri(location, field);
  } catch {
    throw invalid(`${field} must be an s3://bucket/prefix/ location, not ${location}`);
  }
}

/** Quotes a value as Athena's CSV results do: every value quoted, NULL left empty. */
function csvLine(values: readonly (string | null)[]): string {
  return values.map((value) => (value === null ? '' : `"${value.replace(/"/g, '""')}"`)).join(',');
}

/** Writes a query's answer as CSV, header first, to its output object in local S3. */
export async function writeResults(
  s3: S3Store,
  location: string,
  output: QueryOutput,
): Promise<void> {
  const { bucket, key } = splitOutput(location, 'OutputLocation');
  const lines = [csvLine(output.columns.map((column) => column.name))];
  for (const row of output.rows) lines.push(csvLine(row));
  try {
    await s3.putObject({
      bucket,
      key,
      body: Buffer.from(`${lines.join('\n')}\n`),
      headers: { 'content-type': 'text/csv' },
    });
  } catch (error: unknown) {
    if (!(error instanceof AwsError)) throw error;
    throw new QueryFailure(
      'GENERIC_USER_ERROR',
      `Unable to write query results to ${location}: ${error.message}`,
      402,
      1,
    );
  }
}

/** One page of a query's answer as GetQueryResults returns it (MaxResults, NextToken). */
export function resultsPage(output: QueryOutput, input: Json): Json {
  const max = typeof input.MaxResults === 'number' ? input.MaxResults : MAX_RESULTS_PER_PAGE;
  if (!Number.isInteger(max) || max < 1 || max > MAX_RESULTS_PER_PAGE)
    throw invalid(
      `MaxResults must be between 1 and ${MAX_RESULTS_PER_PAGE}, not ${String(input.MaxResults)}`,
    );
  // The header row counts as the first row, as in Athena.
  const start = typeof input.NextToken === 'string' ? Number(input.NextToken) : 0;
  if (!Number.isInteger(start) || start < 0) throw invalid('NextToken is not valid');
  const all = output.rows.length + 1;
  const end = Math.min(all, start + max);
  const rows: Json[] = [];
  for (let index = start; index < end; index++) {
    const values =
      index === 0 ? output.columns.map((column) => column.name) : output.rows[index - 1]!;
    rows.push({ Data: values.map((value) => (value === null ? {} : { VarCharValue: value })) });
  }
  return {
    UpdateCount: 0,
    ResultSet: {
      Rows: rows,
      ResultSetMetadata: {
        ColumnInfo: output.columns.map((column) => ({
          CatalogName: 'hive',
          SchemaName: '',
          TableName: '',
          Name: column.name,
          Label: column.name,
          Type: column.type,
          Precision: 0,
          Scale: 0,
          Nullable: 'UNKNOWN',
          CaseSensitive: column.type === 'varchar',
        })),
      },
    },
    ...(end < all ? { NextToken: String(end) } : {}),
  };
}
