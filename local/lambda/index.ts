import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { messageOf } from '../../lib/errors.js';
import type { Clock } from '../clock.js';
import { AwsError } from '../http.js';
import type { LogStore } from '../logs/store.js';
import { handleLambdaRequest } from './api.js';
import { AsyncInvoker } from './asyncInvoker.js';
import type { DestinationSenders } from './asyncInvoker.js';
import { invalidParameter, readSettings } from './config.js';
import { Invoker } from './invoker.js';
import type { ExecutionRoles, InvokeOptions, InvokeResult } from './invoker.js';
import { InstancePool } from './pool.js';
import { FunctionStore, functionArn, lambdaTime } from './store.js';
import type { FunctionRecord } from './store.js';

export { sqsUnavailable, SqsUnavailableError } from './asyncInvoker.js';
export type { DestinationSenders } from './asyncInvoker.js';
export type { ExecutionRoles, SessionKeys } from './invoker.js';

/** How Lambda reads code from local S3: a narrow view, so S3's implementation can change. */
export interface CodeSource {
  /** The object's bytes; throws when the bucket or key does not exist. */
  getObject(bucket: string, key: string): Promise<Buffer>;
}

/** What the Lambda service is built from. */
export interface LambdaOptions {
  stateDir: string;
  logs: LogStore;
  code: CodeSource;
  senders: DestinationSenders;
  clock: Clock;
  /** The local AWS endpoint functions call (known once the gateway listens). */
  endpoint: () => string;
  log: (line: string) => void;
  /** The execution roles functions act with; without them, instances' keys are not evaluated. */
  roles?: ExecutionRoles;
  /** How long an idle instance stays warm, in real milliseconds. */
  idleMs?: number;
}

type Json = Record<string, unknown>;

/** A function named by name, `name:qualifier`, a partial ARN or a full ARN. */
export function parseFunctionName(
  identifier: string,
  region: string,
): { name: string; region: string; qualifier?: string } {
  const match =
    /^(?:arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):\d{12}:function:|\d{12}:function:)?([a-zA-Z0-9_-]{1,64})(?::(\$LATEST|[a-zA-Z0-9_-]+))?$/.exec(
      identifier,
    );
  if (!match) {
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value '${identifier}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`,
    );
  }
  return {
    name: match[2]!,
    region: match[1] ?? region,
    ...(match[3] ? { qualifier: match[3] } : {}),
  };
}

/**
 * Lambda: functions stored with their code, run in warm child-process instances, invoked
 * synchronously or asynchronously (with retries and destinations), logging to CloudWatch Logs.
 */
export class LambdaService {
  readonly functions: FunctionStore;
  readonly pool: InstancePool;
  private readonly invoker: Invoker;
  private readonly async: AsyncInvoker;

  constructor(readonly options: LambdaOptions) {
    this.functions = new FunctionStore(options.stateDir);
    this.pool = new InstancePool(options.idleMs);
    this.invoker = new Invoker(
      this.functions,
      options.logs,
      this.pool,
      options.endpoint,
      options.log,
      options.roles,
    );
    this.async = new AsyncInvoker(
      join(options.stateDir, 'lambda', 'async'),
      options.clock,
      {
        functions: this.functions,
        run: (record, payload, requestId) => this.invoker.invoke(record, payload, { requestId }),
        enqueue: async (arn, payload) => {
          await this.invokeAsync(arn, payload);
        },
      },
      options.senders,
      options.log,
    );
  }

  /** Loads the functions of the previous run. */
  start(): Promise<void> {
    return this.functions.start();
  }

  /** Picks up the asynchronous events the previous run left; call once the endpoint is known. */
  resumeEvents(): Promise<void> {
    return this.async.start();
  }

  /** Stops every instance; pending asynchronous events stay journalled. */
  async close(): Promise<void> {
    this.pool.close();
    await this.async.close();
  }

  /** Serves one Lambda REST-JSON request. */
  handle(
    request: IncomingMessage,
    response: ServerResponse,
    region: string,
    url: URL,
  ): Promise<void> {
    return handleLambdaRequest(this, request, response, region, url);
  }

  /** A function by any of its names; only `$LATEST` (or no qualifier) is served. */
  find(identifier: string, region: string, qualifier?: string | null): FunctionRecord {
    const parsed = parseFunctionName(identifier, region);
    const version = qualifier ?? parsed.qualifier;
    if (version !== undefined && version !== '$LATEST') {
      throw new AwsError(
        'ResourceNotFoundException',
        `Function not found: ${functionArn(parsed.region, parsed.name)}:${version} (local AWS serves $LATEST only)`,
        404,
      );
    }
    return this.functions.get(parsed.region, parsed.name);
  }

  /** A function's resource policy (its AddPermission statements) as JSON, if it has any. */
  functionPolicy(functionArnOrName: string): string | undefined {
    const parsed = parseFunctionName(functionArnOrName, 'us-east-1');
    const record = this.functions.find(parsed.region, parsed.name);
    if (!record || record.policy.length === 0) return undefined;
    return JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: record.policy });
  }

  /** Reads the zip of CreateFunction / UpdateFunctionCode: inline bytes or an S3 object. */
  async code(input: Json): Promise<Buffer> {
    if (typeof input.ZipFile === 'string') return Buffer.from(input.ZipFile, 'base64');
    if (typeof input.S3Bucket === 'string' && typeof input.S3Key === 'string') {
      try {
        return await this.options.code.getObject(input.S3Bucket, input.S3Key);
      } catch (error: unknown) {
        // S3's own error name (NoSuchKey, NoSuchBucket...), as Lambda quotes it.
        const code = error instanceof Error ? error.name : 'InternalError';
        throw invalidParameter(
          `Error occurred while GetObject. S3 Error Code: ${code}. S3 Error Message: ${messageOf(error)} (s3://${input.S3Bucket}/${input.S3Key})`,
        );
      }
    }
    if (input.ImageUri !== undefined) {
      throw invalidParameter('local AWS runs Zip functions only, not container images');
    }
    throw invalidParameter('Code must have ZipFile, or S3Bucket and S3Key');
  }

  /** CreateFunction. */
  async create(input: Json, region: string): Promise<FunctionRecord> {
    const name = input.FunctionName;
    if (typeof name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(name)) {
      throw new AwsError(
        'ValidationException',
        `1 validation error detected: Value '${String(name)}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9-_]{1,64}`,
      );
    }
    if (input.PackageType === 'Image') {
      throw invalidParameter('local AWS runs Zip functions only, not container images');
    }
    const settings = readSettings(input, undefined);
    if (this.functions.find(region, name)) {
      throw new AwsError('ResourceConflictException', `Function already exist: ${name}`, 409);
    }
    const code = await this.functions.putCode(await this.code((input.Code ?? {}) as Json));
    const record: FunctionRecord = {
      ...settings,
      ...code,
      name,
      region,
      arn: functionArn(region, name),
      lastModified: lambdaTime(new Date()),
      revisionId: randomUUID(),
      tags: (input.Tags ?? {}) as Record<string, string>,
      policy: [],
    };
    await this.functions.add(record);
    return record;
  }

  /** UpdateFunctionConfiguration: new settings, fresh instances. */
  async updateConfiguration(record: FunctionRecord, input: Json): Promise<FunctionRecord> {
    checkRevision(record, input);
    const settings = readSettings(input, record);
    const updated = await this.functions.update({ ...record, ...settings });
    this.pool.drain(`${record.region}/${record.name}`);
    return updated;
  }

  /** UpdateFunctionCode: new code, fresh instances. */
  async updateCode(record: FunctionRecord, input: Json): Promise<FunctionRecord> {
    checkRevision(record, input);
    const code = await this.functions.putCode(await this.code(input));
    const architectures = Array.isArray(input.Architectures)
      ? readSettings({ Architectures: input.Architectures }, record).architectures
      : record.architectures;
    const updated = await this.functions.update({ ...record, ...code, architectures });
    this.pool.drain(`${record.region}/${record.name}`);
    return updated;
  }

  /** DeleteFunction. */
  async delete(record: FunctionRecord): Promise<void> {
    await this.functions.remove(record.region, record.name);
    this.pool.drain(`${record.region}/${record.name}`);
  }

  /** Invokes a function and waits for its answer (RequestResponse). */
  invoke(
    record: FunctionRecord,
    payload: string,
    options: InvokeOptions = {},
  ): Promise<InvokeResult> {
    return this.invoker.invoke(record, payload, options);
  }

  /**
   * Queues an asynchronous invocation (`Event`), as the Scheduler, SNS and Lambda destinations do;
   * resolves with the request id once the event is journalled.
   */
  invokeAsync(functionArnOrName: string, payload: string, region = 'us-east-1'): Promise<string> {
    return this.async.enqueue(this.find(functionArnOrName, region), payload);
  }

  /** Queues an event for a function already looked up. */
  enqueue(record: FunctionRecord, payload: string): Promise<string> {
    return this.async.enqueue(record, payload);
  }
}

function checkRevision(record: FunctionRecord, input: Json): void {
  if (typeof input.RevisionId === 'string' && input.RevisionId !== record.revisionId) {
    throw new AwsError(
      'PreconditionFailedException',
      'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
      412,
    );
  }
}
