import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { GlueService } from '../glue/index.js';
import { AwsError, serveJsonOperation } from '../http.js';
import type { S3Store } from '../s3/S3Store.js';
import { JsonFile } from '../state.js';
import { QueryEngine, QueryFailure } from './engine.js';
import type { QueryOutput } from './engine.js';
import { describeExecution } from './execution.js';
import type { Execution, QueryState } from './execution.js';
import { invalid, isJson, optionalObject, text } from './input.js';
import type { Json } from './input.js';
import { TableDefinitionError } from './partitions.js';
import { engineTable, planQuery } from './planner.js';
import { resultsPage, splitOutput, writeResults } from './results.js';

export { QUERY_STATES } from './execution.js';
export { MAX_RESULTS_PER_PAGE } from './results.js';

/** Athena's smallest per-query bytes-scanned limit: 10 MB. */
export const MIN_BYTES_SCANNED_CUTOFF = 10_000_000;

interface WorkGroup {
  Name: string;
  State: 'ENABLED' | 'DISABLED';
  Description?: string;
  Configuration: {
    ResultConfiguration?: { OutputLocation?: string; EncryptionConfiguration?: Json };
    EnforceWorkGroupConfiguration?: boolean;
    BytesScannedCutoffPerQuery?: number;
    PublishCloudWatchMetricsEnabled?: boolean;
    [field: string]: unknown;
  };
  CreationTime: number;
}

interface AthenaState {
  workGroups: Record<string, Record<string, WorkGroup>>;
  executions: Execution[];
}

/** How many finished executions are kept (Athena keeps 45 days of history; this keeps the newest). */
const KEPT_EXECUTIONS = 1000;

/**
 * Amazon Athena (AWS JSON 1.1, `AmazonAthena.<Op>`): workgroups and query executions. Queries run
 * on DuckDB over the objects of the Glue tables they name, reading local S3's stored files of only
 * the partitions the WHERE clause can match; results go to the output location as CSV.
 */
export class AthenaService {
  private state: AthenaState = { workGroups: {}, executions: [] };
  private readonly file: JsonFile<AthenaState>;
  private readonly results = new Map<string, QueryOutput>();
  private readonly running = new Set<Promise<void>>();
  readonly engine: QueryEngine;

  constructor(
    stateDir: string,
    private readonly glue: GlueService,
    private readonly s3: S3Store,
    private readonly now: () => number = Date.now,
  ) {
    // Beside local S3's data files, so a query's links to them are hard links.
    this.engine = new QueryEngine(join(stateDir, 'athena'));
    this.file = new JsonFile(join(stateDir, 'athena', 'state.json'), () => ({
      workGroups: {},
      executions: [],
    }));
  }

  /** Loads workgroups and query history; queries cut short by the last stop are marked failed. */
  async start(): Promise<void> {
    this.state = await this.file.read();
    await this.engine.open();
    for (const execution of this.state.executions) {
      if (execution.state === 'QUEUED' || execution.state === 'RUNNING') {
        execution.state = 'FAILED';
        execution.reason = 'local AWS stopped while the query ran';
      }
    }
  }

  /** Waits for running queries and closes DuckDB. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.running]);
    await this.engine.close();
  }

  private save(): Promise<void> {
    return this.file.write(this.state);
  }

  private workGroups(region: string): Record<string, WorkGroup> {
    const groups = (this.state.workGroups[region] ??= {});
    groups.primary ??= {
      Name: 'primary',
      State: 'ENABLED',
      Configuration: {
        EnforceWorkGroupConfiguration: false,
        PublishCloudWatchMetricsEnabled: false,
      },
      CreationTime: 0,
    };
    return groups;
  }

  private workGroup(region: string, name: string): WorkGroup {
    const group = this.workGroups(region)[name];
    if (!group) throw invalid(`WorkGroup ${name} is not found.`);
    return group;
  }

  private execution(region: string, input: Json): Execution {
    const id = text(input, 'QueryExecutionId');
    const execution = this.state.executions.find((e) => e.id === id && e.region === region);
    if (!execution) throw invalid(`QueryExecution ${id} was not found`);
    return execution;
  }

  /** Serves one Athena request. */
  handle(request: IncomingMessage, response: ServerResponse, region: string): Promise<void> {
    return serveJsonOperation(request, response, 'AmazonAthena', (operation, input) =>
      this.dispatch(operation, input, region),
    );
  }

  private async dispatch(operation: string, input: Json, region: string): Promise<Json | void> {
    switch (operation) {
      case 'StartQueryExecution':
        return { QueryExecutionId: await this.startQuery(region, input) };
      case 'GetQueryExecution':
        return { QueryExecution: describeExecution(this.execution(region, input), this.now) };
      case 'BatchGetQueryExecution': {
        const ids = Array.isArray(input.QueryExecutionIds)
          ? (input.QueryExecutionIds as string[])
          : [];
        const found = ids.map((id) =>
          this.state.executions.find((e) => e.id === id && e.region === region),
        );
        return {
          QueryExecutions: found
            .filter((e) => e !== undefined)
            .map((e) => describeExecution(e, this.now)),
          UnprocessedQueryExecutionIds: ids
            .filter((_, index) => !found[index])
            .map((id) => ({
              QueryExecutionId: id,
              ErrorCode: 'INVALID_INPUT',
              ErrorMessage: 'not found',
            })),
        };
      }
      case 'GetQueryResults':
        return this.getResults(region, input);
      case 'StopQueryExecution': {
        const execution = this.execution(region, input);
        if (execution.state === 'QUEUED' || execution.state === 'RUNNING') {
          this.finish(execution, 'CANCELLED', 'Query was cancelled by the user');
          await this.save();
        }
        return;
      }
      case 'ListQueryExecutions': {
        const group = typeof input.WorkGroup === 'string' ? input.WorkGroup : 'primary';
        this.workGroup(region, group);
        const ids = this.state.executions
          .filter((e) => e.region === region && e.workGroup === group)
          .reverse()
          .map((e) => e.id);
        return this.page(ids, input, 50, 'QueryExecutionIds');
      }
      case 'CreateWorkGroup':
        return this.createWorkGroup(region, input);
      case 'GetWorkGroup':
        return { WorkGroup: this.workGroup(region, text(input, 'WorkGroup')) };
      case 'ListWorkGroups': {
        const groups = Object.values(this.workGroups(region))
          .sort((a, b) => a.Name.localeCompare(b.Name))
          .map((group) => ({
            Name: group.Name,
            State: group.State,
            CreationTime: group.CreationTime,
            ...(group.Description ? { Description: group.Description } : {}),
            EngineVersion: {
              SelectedEngineVersion: 'AUTO',
              EffectiveEngineVersion: 'Athena engine version 3',
            },
          }));
        return this.page(groups, input, 50, 'WorkGroups');
      }
      case 'UpdateWorkGroup':
        return this.updateWorkGroup(region, input);
      case 'DeleteWorkGroup': {
        const name = text(input, 'WorkGroup');
        if (name === 'primary') throw invalid('Cannot delete the primary workgroup');
        this.workGroup(region, name);
        delete this.workGroups(region)[name];
        await this.save();
        return;
      }
      default:
        throw new AwsError(
          'UnknownOperationException',
          `Athena operation ${operation || '(none)'} is not supported by local AWS (it serves ` +
            'Start/Get/Stop/List/BatchGetQueryExecution(s), GetQueryResults and Create/Get/List/Update/DeleteWorkGroup(s))',
        );
    }
  }

  private page<T>(items: T[], input: Json, largest: number, field: string): Json {
    const max = typeof input.MaxResults === 'number' ? input.MaxResults : largest;
    if (!Number.isInteger(max) || max < 1 || max > largest)
      throw invalid(`MaxResults must be between 1 and ${largest}, not ${String(input.MaxResults)}`);
    const start = typeof input.NextToken === 'string' ? Number(input.NextToken) : 0;
    if (!Number.isInteger(start) || start < 0) throw invalid('NextToken is not valid');
    const end = start + max;
    return {
      [field]: items.slice(start, end),
      ...(end < items.length ? { NextToken: String(end) } : {}),
    };
  }

  private async createWorkGroup(region: string, input: Json): Promise<void> {
    const name = text(input, 'Name');
    if (!/^[a-zA-Z0-9._-]{1,128}$/.test(name))
      throw invalid(
        `Name must be 1 to 128 letters, digits, periods, underscores or hyphens, not ${name}`,
      );
    const groups = this.workGroups(region);
    if (groups[name]) throw invalid(`WorkGroup ${name} already exists`);
    const configuration = optionalObject(input, 'Configuration');
    const cutoff = configuration.BytesScannedCutoffPerQuery;
    if (
      cutoff !== undefined &&
      (typeof cutoff !== 'number' || !Number.isInteger(cutoff) || cutoff < MIN_BYTES_SCANNED_CUTOFF)
    ) {
      throw invalid(
        `Configuration.BytesScannedCutoffPerQuery must be a whole number of at least ${MIN_BYTES_SCANNED_CUTOFF} (10 MB), not ${String(cutoff)}`,
      );
    }
    const output = (optionalObject(configuration, 'ResultConfiguration').OutputLocation ??
      undefined) as string | undefined;
    if (output !== undefined)
      splitOutput(output, 'Configuration.ResultConfiguration.OutputLocation');
    groups[name] = {
      Name: name,
      State: 'ENABLED',
      ...(typeof input.Description === 'string' ? { Description: input.Description } : {}),
      Configuration: configuration as WorkGroup['Configuration'],
      CreationTime: this.now() / 1000,
    };
    await this.save();
  }

  private async updateWorkGroup(region: string, input: Json): Promise<void> {
    const group = this.workGroup(region, text(input, 'WorkGroup'));
    const updates = optionalObject(input, 'ConfigurationUpdates');
    const configuration = { ...group.Configuration };
    for (const field of [
      'EnforceWorkGroupConfiguration',
      'PublishCloudWatchMetricsEnabled',
    ] as const)
      if (typeof updates[field] === 'boolean') configuration[field] = updates[field];
    if (updates.RemoveBytesScannedCutoffPerQuery === true)
      delete configuration.BytesScannedCutoffPerQuery;
    const cutoff = updates.BytesScannedCutoffPerQuery;
    if (cutoff !== undefined) {
      if (
        typeof cutoff !== 'number' ||
        !Number.isInteger(cutoff) ||
        cutoff < MIN_BYTES_SCANNED_CUTOFF
      )
        throw invalid(
          `ConfigurationUpdates.BytesScannedCutoffPerQuery must be a whole number of at least ${MIN_BYTES_SCANNED_CUTOFF} (10 MB), not ${String(cutoff)}`,
        );
      configuration.BytesScannedCutoffPerQuery = cutoff;
    }
    const results = optionalObject(updates, 'ResultConfigurationUpdates');
    const result = { ...configuration.ResultConfiguration };
    if (results.RemoveOutputLocation === true) delete result.OutputLocation;
    if (typeof results.OutputLocation === 'string') {
      splitOutput(results.OutputLocation, 'ResultConfigurationUpdates.OutputLocation');
      result.OutputLocation = results.OutputLocation;
    }
    if (results.RemoveEncryptionConfiguration === true) delete result.EncryptionConfiguration;
    if (isJson(results.EncryptionConfiguration))
      result.EncryptionConfiguration = results.EncryptionConfiguration;
    configuration.ResultConfiguration = result;
    group.Configuration = configuration;
    if (typeof input.Description === 'string') group.Description = input.Description;
    if (input.State === 'ENABLED' || input.State === 'DISABLED') group.State = input.State;
    await this.save();
  }

  private async startQuery(region: string, input: Json): Promise<string> {
    const query = text(input, 'QueryString');
    if (query.length > 262_144) throw invalid('QueryString must be at most 262144 characters');
    const groupName = typeof input.WorkGroup === 'string' ? input.WorkGroup : 'primary';
    const group = this.workGroup(region, groupName);
    if (group.State !== 'ENABLED') throw invalid(`WorkGroup ${groupName} is disabled.`);
    const context = optionalObject(input, 'QueryExecutionContext');
    const requested = optionalObject(input, 'ResultConfiguration').OutputLocation as
      string | undefined;
    const configured = group.Configuration.ResultConfiguration?.OutputLocation;
    const location = group.Configuration.EnforceWorkGroupConfiguration
      ? (configured ?? requested)
      : (requested ?? configured);
    if (!location) {
      throw invalid(
        'No output location provided. An output location is required either through the Workgroup result configuration setting or as an API input.',
      );
    }
    splitOutput(location, 'ResultConfiguration.OutputLocation');
    const id = randomUUID();
    const execution: Execution = {
      id,
      region,
      query,
      workGroup: groupName,
      database: (typeof context.Database === 'string' ? context.Database : 'default').toLowerCase(),
      catalog: typeof context.Catalog === 'string' ? context.Catalog : 'AwsDataCatalog',
      output: `${location.replace(/\/?$/, '/')}${id}.csv`,
      state: 'QUEUED',
      submitted: this.now(),
      engineMs: 0,
      scanned: 0,
    };
    this.state.executions.push(execution);
    if (this.state.executions.length > KEPT_EXECUTIONS) {
      const dropped = this.state.executions.splice(
        0,
        this.state.executions.length - KEPT_EXECUTIONS,
      );
      for (const old of dropped) this.results.delete(old.id);
    }
    await this.save();
    const run = this.execute(execution, group.Configuration.BytesScannedCutoffPerQuery)
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        this.finish(execution, 'FAILED', `GENERIC_INTERNAL_ERROR: ${message}`, 200, 1);
      })
      .then(() => this.save());
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
    return id;
  }

  private finish(
    execution: Execution,
    state: QueryState,
    reason?: string,
    errorType?: number,
    category?: number,
  ): void {
    if (execution.state !== 'QUEUED' && execution.state !== 'RUNNING') return;
    execution.state = state;
    execution.completed = this.now();
    if (reason) execution.reason = reason;
    if (errorType !== undefined && category !== undefined) {
      execution.error = {
        ErrorCategory: category,
        ErrorType: errorType,
        Retryable: false,
        ErrorMessage: reason ?? '',
      };
    }
  }

  /** Plans, scans and runs one query, then writes its results; failures end in the execution's state. */
  private async execute(execution: Execution, cutoff: number | undefined): Promise<void> {
    await Promise.resolve(); // answer StartQueryExecution before any work
    execution.state = 'RUNNING';
    const started = this.now();
    try {
      const statement = await this.engine.parse(execution.query);
      const sources = { glue: this.glue, s3: this.s3, now: this.now };
      const tables = planQuery(sources, execution, statement);
      execution.scanned = tables.reduce((sum, table) => sum + table.bytes, 0);
      if (cutoff !== undefined && execution.scanned > cutoff) {
        this.finish(execution, 'CANCELLED', 'Query cancelled! -- Bytes scanned limit was exceeded');
        return;
      }
      const loaded = tables.map((table) => engineTable(this.s3, table));
      if (execution.state !== 'RUNNING') return;
      const output = await this.engine.run(execution.query, execution.database, loaded);
      execution.engineMs = this.now() - started;
      if (execution.state !== 'RUNNING') return;
      await writeResults(this.s3, execution.output, output);
      this.results.set(execution.id, output);
      this.finish(execution, 'SUCCEEDED');
    } catch (error: unknown) {
      execution.engineMs = this.now() - started;
      if (error instanceof QueryFailure) {
        this.finish(
          execution,
          'FAILED',
          `${error.kind}: ${error.message}`,
          error.errorType,
          error.category,
        );
        return;
      }
      if (error instanceof TableDefinitionError) {
        this.finish(execution, 'FAILED', `HIVE_METASTORE_ERROR: ${error.message}`, 204, 1);
        return;
      }
      throw error;
    }
  }

  private getResults(region: string, input: Json): Json {
    const execution = this.execution(region, input);
    if (execution.state !== 'SUCCEEDED') {
      throw invalid(
        execution.state === 'FAILED' || execution.state === 'CANCELLED'
          ? `Query has failed. Current state: ${execution.state}`
          : `Query has not yet finished. Current state: ${execution.state}`,
      );
    }
    const output = this.results.get(execution.id);
    if (!output)
      throw invalid(
        `The results of ${execution.id} are no longer held; read them from ${execution.output}`,
      );
    return resultsPage(output, input);
  }
}
