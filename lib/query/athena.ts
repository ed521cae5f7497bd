import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import type { AthenaClient, QueryExecutionState } from '@aws-sdk/client-athena';

/** A query that ended FAILED or CANCELLED, with Athena's reason and error classification. */
export class QueryFailedError extends Error {
  override name = 'QueryFailedError';
  constructor(
    readonly queryExecutionId: string,
    readonly state: string,
    readonly reason: string,
    readonly errorCategory?: number,
    readonly errorType?: number,
  ) {
    super(`query ${queryExecutionId} ${state}: ${reason}`);
  }
}

/** What to run and where: names come from the config; time and sleep are passed in. */
export interface RunQueryOptions {
  sql: string;
  database: string;
  workGroup: string;
  /** Only needed when the workgroup has no result location of its own. */
  outputLocation?: string;
  /** Between polls of GetQueryExecution; default 250 ms. */
  pollMs?: number;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  /** Called after each poll, for progress output. */
  onProgress?: (state: QueryExecutionState | string, elapsedMs: number) => void;
  /** Stop reading pages past this many rows; default all. */
  maxRows?: number;
}

/** A finished query: its columns, rows (null for SQL NULL) and what it cost. */
export interface QueryResult {
  queryExecutionId: string;
  columns: { name: string; type: string }[];
  rows: (string | null)[][];
  dataScannedBytes: number;
  engineMs: number;
  outputLocation?: string;
}

/** Runs one query through the Athena API: starts it, waits for it to finish, reads every page. */
export async function runQuery(
  athena: AthenaClient,
  options: RunQueryOptions,
): Promise<QueryResult> {
  const started = options.now();
  const { QueryExecutionId: id } = await athena.send(
    new StartQueryExecutionCommand({
      QueryString: options.sql,
      WorkGroup: options.workGroup,
      QueryExecutionContext: { Database: options.database },
      ...(options.outputLocation
        ? { ResultConfiguration: { OutputLocation: options.outputLocation } }
        : {}),
    }),
  );
  if (!id) throw new Error('Athena answered StartQueryExecution without a QueryExecutionId');
  for (;;) {
    const { QueryExecution: execution } = await athena.send(
      new GetQueryExecutionCommand({ QueryExecutionId: id }),
    );
    const state = execution?.Status?.State ?? 'QUEUED';
    options.onProgress?.(state, options.now() - started);
    if (state === 'SUCCEEDED') {
      const { columns, rows } = await readResults(athena, id, options.maxRows);
      return {
        queryExecutionId: id,
        columns,
        rows,
        dataScannedBytes: execution?.Statistics?.DataScannedInBytes ?? 0,
        engineMs: execution?.Statistics?.EngineExecutionTimeInMillis ?? 0,
        ...(execution?.ResultConfiguration?.OutputLocation
          ? { outputLocation: execution.ResultConfiguration.OutputLocation }
          : {}),
      };
    }
    if (state === 'FAILED' || state === 'CANCELLED') {
      throw new QueryFailedError(
        id,
        state,
        execution?.Status?.StateChangeReason ?? 'no reason given',
        execution?.Status?.AthenaError?.ErrorCategory,
        execution?.Status?.AthenaError?.ErrorType,
      );
    }
    await options.sleep(options.pollMs ?? 250);
  }
}

/** Reads a finished query's pages; the first row of the first page is the header, as Athena sends it. */
async function readResults(
  athena: AthenaClient,
  id: string,
  maxRows = Number.POSITIVE_INFINITY,
): Promise<Pick<QueryResult, 'columns' | 'rows'>> {
  let columns: QueryResult['columns'] = [];
  const rows: QueryResult['rows'] = [];
  let token: string | undefined;
  let first = true;
  do {
    const page = await athena.send(
      new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: 1000, NextToken: token }),
    );
    if (first) {
      columns = (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((column) => ({
        name: column.Name ?? '',
        type: column.Type ?? 'varchar',
      }));
    }
    const pageRows = (page.ResultSet?.Rows ?? []).map((row) =>
      (row.Data ?? []).map((datum) => datum.VarCharValue ?? null),
    );
    rows.push(...(first ? pageRows.slice(1) : pageRows));
    first = false;
    token = page.NextToken;
  } while (token && rows.length < maxRows);
  return { columns, rows: rows.slice(0, maxRows) };
}
