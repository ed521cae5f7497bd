import { randomBytes, randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import type { LogStore } from '../logs/store.js';
import { BOOTSTRAP, Instance } from './instance.js';
import type { Outcome } from './instance.js';
import { FunctionLogWriter } from './logWriter.js';
import type { FunctionErrorBody, InvocationReport } from './logWriter.js';
import type { InstancePool } from './pool.js';
import type { FunctionRecord, FunctionStore } from './store.js';

/** What a synchronous invocation answers. */
export interface InvokeResult {
  requestId: string;
  /** The function's result (or error body) as JSON text. */
  payload: string;
  /** `Unhandled` when the function failed, as `X-Amz-Function-Error` says it. */
  functionError?: 'Unhandled';
  /** The error, parsed, when the function failed. */
  error?: FunctionErrorBody;
  /** Base64 tail of the invocation's log, when asked for. */
  logResult?: string;
}

/** Keys an instance runs with (its execution role's session). */
export interface SessionKeys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

/**
 * How functions act with their execution role, as Lambda does: a session of the role for the
 * instances, and the role's permission for the logs the runtime writes.
 */
export interface ExecutionRoles {
  /**
   * Credentials of a session of the function's role; undefined when local IAM has no such role
   * (the instance then gets keys that are not evaluated); throws when the trust policy refuses.
   */
  session(record: FunctionRecord): Promise<SessionKeys | undefined>;
  /** Why the function's role may not make this logs call, or undefined when it may. */
  refusal(record: FunctionRecord, action: string, resource: string): Promise<string | undefined>;
}

/** Options of {@link Invoker.invoke}. */
export interface InvokeOptions {
  /** Kept across the retries of one asynchronous event, as Lambda does. */
  requestId?: string;
  tail?: boolean;
  /** `X-Amz-Client-Context`, decoded: the function sees it as `context.clientContext`. */
  clientContext?: unknown;
}

/** The log group a function writes to. */
export function logGroupOf(record: FunctionRecord): string {
  return record.logging.logGroup ?? `/aws/lambda/${record.name}`;
}

function streamName(): string {
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  return `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

/** Runs invocations on warm instances from the pool, logging them as Lambda does. */
export class Invoker {
  private readonly writers = new WeakMap<Instance, FunctionLogWriter>();

  constructor(
    private readonly functions: FunctionStore,
    private readonly logs: LogStore,
    private readonly pool: InstancePool,
    private readonly endpoint: () => string,
    private readonly log: (line: string) => void,
    private readonly roles?: ExecutionRoles,
  ) {}

  private environment(
    record: FunctionRecord,
    taskRoot: string,
    stream: string,
    keys: SessionKeys | undefined,
  ) {
    const variables: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      LANG: 'en_US.UTF-8',
      TZ: ':UTC',
      ...record.environment,
      AWS_LAMBDA_FUNCTION_NAME: record.name,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(record.memorySize),
      AWS_LAMBDA_LOG_GROUP_NAME: logGroupOf(record),
      AWS_LAMBDA_LOG_STREAM_NAME: stream,
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_REGION: record.region,
      AWS_DEFAULT_REGION: record.region,
      AWS_EXECUTION_ENV: `AWS_Lambda_${record.runtime}`,
      LAMBDA_TASK_ROOT: taskRoot,
      LAMBDA_RUNTIME_DIR: dirname(BOOTSTRAP),
      _HANDLER: record.handler,
      // A session of the execution role; a role local IAM lacks gets keys IAM does not evaluate.
      AWS_ACCESS_KEY_ID: keys?.accessKeyId ?? 'ASIALOCALLAMBDA00000',
      AWS_SECRET_ACCESS_KEY: keys?.secretAccessKey ?? 'local-lambda-secret',
      AWS_SESSION_TOKEN: keys?.sessionToken ?? 'local-lambda-session',
      AWS_ENDPOINT_URL: this.endpoint(),
    };
    if (record.logging.format === 'JSON') {
      variables.AWS_LAMBDA_LOG_FORMAT = 'JSON';
      variables.AWS_LAMBDA_LOG_LEVEL = record.logging.applicationLogLevel ?? 'INFO';
    }
    return variables;
  }

  private async start(
    record: FunctionRecord,
    keys: SessionKeys | undefined,
  ): Promise<() => Instance> {
    const taskRoot = await this.functions.taskRoot(record.codeSha256);
    const roles = this.roles;
    return () => {
      const stream = streamName();
      const writer = new FunctionLogWriter(
        this.logs,
        record.region,
        logGroupOf(record),
        stream,
        record.logging,
        this.log,
        roles && keys ? (action, resource) => roles.refusal(record, action, resource) : undefined,
      );
      const instance = new Instance({
        taskRoot,
        env: this.environment(record, taskRoot, stream, keys),
        memorySizeMB: record.memorySize,
        onConsole: (line) => writer.console(line),
        onRaw: (text) => writer.raw(text),
      });
      this.writers.set(instance, writer);
      return instance;
    };
  }

  /** Invokes a function synchronously (RequestResponse). */
  async invoke(
    record: FunctionRecord,
    payload: string,
    options: InvokeOptions = {},
  ): Promise<InvokeResult> {
    const requestId = options.requestId ?? randomUUID();
    const functionKey = `${record.region}/${record.name}`;
    const keys = await this.roles?.session(record);
    const start = await this.start(record, keys);
    // Renewed session keys retire the instances that run with the old ones, before they expire.
    const { instance, cold } = this.pool.acquire(
      functionKey,
      `${record.revisionId}/${record.codeSha256}/${keys?.accessKeyId ?? ''}`,
      start,
    );
    const writer = this.writers.get(instance)!;
    await instance.ready;
    writer.start(requestId);
    const began = performance.now();
    let outcome: Outcome;
    const initFailure = instance.initFailure;
    if (initFailure) {
      writer.functionError(undefined, initFailure, 'init');
      outcome = { kind: 'exit', error: initFailure };
    } else {
      outcome = await instance.invoke(requestId, payload, record.timeout * 1000, {
        functionName: record.name,
        functionVersion: '$LATEST',
        invokedFunctionArn: record.arn,
        memoryLimitInMB: String(record.memorySize),
        logGroupName: writer.group,
        logStreamName: writer.stream,
        ...(options.clientContext === undefined ? {} : { clientContext: options.clientContext }),
      });
    }
    const durationMs = performance.now() - began;
    const result = this.answer(record, requestId, outcome, writer);
    const report: InvocationReport = {
      requestId,
      durationMs,
      memorySizeMB: record.memorySize,
      maxMemoryUsedMB: Math.ceil(instance.maxMemoryBytes / 1024 / 1024),
      status:
        outcome.kind === 'result' ? 'success' : outcome.kind === 'timeout' ? 'timeout' : 'error',
      ...(cold ? { initDurationMs: instance.initDurationMs } : {}),
      ...(result.error ? { errorType: result.error.errorType } : {}),
    };
    writer.end(report);
    if (options.tail) result.logResult = writer.tail();
    this.pool.release(functionKey, instance, outcome.kind === 'result' || outcome.kind === 'error');
    await writer.flush();
    return result;
  }

  private answer(
    record: FunctionRecord,
    requestId: string,
    outcome: Outcome,
    writer: FunctionLogWriter,
  ): InvokeResult {
    let error: FunctionErrorBody;
    switch (outcome.kind) {
      case 'result':
        return { requestId, payload: outcome.payload };
      case 'error':
        writer.functionError(requestId, outcome.error, 'invoke');
        error = outcome.error;
        break;
      case 'timeout': {
        const text = `Task timed out after ${record.timeout.toFixed(2)} seconds`;
        writer.platformError(requestId, text);
        error = {
          errorType: 'Sandbox.Timedout',
          errorMessage: `RequestId: ${requestId} Error: ${text}`,
        };
        break;
      }
      case 'exit':
        error = outcome.error.errorType.startsWith('Runtime.ExitError')
          ? {
              errorType: outcome.error.errorType,
              errorMessage: `RequestId: ${requestId} Error: ${outcome.error.errorMessage}`,
            }
          : outcome.error;
        writer.platformError(requestId, `${error.errorMessage}\n${error.errorType}`);
        break;
    }
    return { requestId, payload: JSON.stringify(error), functionError: 'Unhandled', error };
  }
}
