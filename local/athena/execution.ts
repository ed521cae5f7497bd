/** The states a query execution passes through, as Athena names them. */
export const QUERY_STATES = {
  queued: 'QUEUED',
  running: 'RUNNING',
  succeeded: 'SUCCEEDED',
  failed: 'FAILED',
  cancelled: 'CANCELLED',
} as const;

/** One of {@link QUERY_STATES}. */
export type QueryState = (typeof QUERY_STATES)[keyof typeof QUERY_STATES];

/** One query execution as local Athena keeps it in its state file. */
export interface Execution {
  id: string;
  region: string;
  query: string;
  workGroup: string;
  database: string;
  catalog: string;
  /** `s3://bucket/prefix/<id>.csv`, where the results are written. */
  output: string;
  state: QueryState;
  reason?: string;
  error?: { ErrorCategory: number; ErrorType: number; Retryable: boolean; ErrorMessage: string };
  submitted: number;
  completed?: number;
  engineMs: number;
  scanned: number;
}

/** An execution as GetQueryExecution answers it; `now` times one still running. */
export function describeExecution(
  execution: Execution,
  now: () => number,
): Record<string, unknown> {
  return {
    QueryExecutionId: execution.id,
    Query: execution.query,
    StatementType: 'DML',
    ResultConfiguration: { OutputLocation: execution.output },
    QueryExecutionContext: { Database: execution.database, Catalog: execution.catalog },
    Status: {
      State: execution.state,
      SubmissionDateTime: execution.submitted / 1000,
      ...(execution.completed === undefined
        ? {}
        : { CompletionDateTime: execution.completed / 1000 }),
      ...(execution.reason ? { StateChangeReason: execution.reason } : {}),
      ...(execution.error ? { AthenaError: execution.error } : {}),
    },
    Statistics: {
      EngineExecutionTimeInMillis: execution.engineMs,
      DataScannedInBytes: execution.scanned,
      TotalExecutionTimeInMillis: (execution.completed ?? now()) - execution.submitted,
      QueryQueueTimeInMillis: 0,
    },
    WorkGroup: execution.workGroup,
    EngineVersion: {
      SelectedEngineVersion: 'AUTO',
      EffectiveEngineVersion: 'Athena engine version 3',
    },
  };
}
