import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LOCAL_ACCOUNT_ID } from '../account.js';
import { AwsError, readBody } from '../http.js';
import { validation } from './config.js';
import type { LambdaService } from './index.js';
import { addPermission, configuration, eventInvokeConfig, readInvokeConfig } from './shapes.js';
import type { FunctionRecord } from './store.js';

type Json = Record<string, unknown>;

/** Lambda's limits on invocation payloads. */
export const PAYLOAD_LIMITS = { requestResponse: 6 * 1024 * 1024, event: 1024 * 1024 } as const;

function send(
  response: ServerResponse,
  status: number,
  body?: unknown,
  headers: Record<string, string> = {},
): void {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': headers['x-amzn-requestid'] ?? randomUUID(),
    ...headers,
  });
  response.end(text);
}

/** Lambda's REST-JSON error: the code in `x-amzn-errortype`, `{"Type", "Message"}` in the body. */
function sendError(response: ServerResponse, error: AwsError): void {
  send(
    response,
    error.status,
    { Type: error.sender ? 'User' : 'Service', Message: error.message },
    { 'x-amzn-errortype': error.code },
  );
}

function page<T>(items: T[], url: URL): { slice: T[]; marker?: string } {
  const max = Number(url.searchParams.get('MaxItems') ?? 50);
  if (!Number.isInteger(max) || max < 1 || max > 10_000) {
    throw validation(max, 'maxItems', 'Member must have value between 1 and 10000');
  }
  const marker = url.searchParams.get('Marker');
  const start = marker ? Number(Buffer.from(marker, 'base64url').toString('utf8')) || 0 : 0;
  const end = start + max;
  return {
    slice: items.slice(start, end),
    ...(end < items.length ? { marker: Buffer.from(String(end)).toString('base64url') } : {}),
  };
}

/** Serves one Lambda REST-JSON request (`/2015-03-31/functions/...` and friends). */
export async function handleLambdaRequest(
  lambda: LambdaService,
  request: IncomingMessage,
  response: ServerResponse,
  region: string,
  url: URL,
): Promise<void> {
  try {
    const body = await readBody(request, PAYLOAD_LIMITS.requestResponse + 1024 * 1024);
    await route(lambda, request, response, region, url, body);
  } catch (error: unknown) {
    if (!(error instanceof AwsError)) throw error;
    sendError(response, error);
  }
}

function json(body: Buffer): Json {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8')) as Json;
  } catch {
    throw new AwsError('SerializationException', 'The request body is not valid JSON');
  }
}

async function route(
  lambda: LambdaService,
  request: IncomingMessage,
  response: ServerResponse,
  region: string,
  url: URL,
  body: Buffer,
): Promise<void> {
  const method = request.method ?? 'GET';
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const [version, collection, identifier, sub, subId] = parts;
  const qualifier = url.searchParams.get('Qualifier');
  const find = () => lambda.find(identifier!, region, qualifier);

  if (version === '2017-03-31' && collection === 'tags' && identifier) {
    const record = find();
    if (method === 'GET') return send(response, 200, { Tags: record.tags });
    if (method === 'POST') {
      await lambda.functions.change(record, (r) =>
        Object.assign(r.tags, (json(body).Tags ?? {}) as Record<string, string>),
      );
      return send(response, 204);
    }
    if (method === 'DELETE') {
      const keys = url.searchParams.getAll('tagKeys');
      await lambda.functions.change(record, (r) => keys.forEach((key) => delete r.tags[key]));
      return send(response, 204);
    }
  }
  if (collection !== 'functions') return unsupported(method, url);

  if (version === '2019-09-25' && sub === 'event-invoke-config' && identifier) {
    const record = find();
    switch (method) {
      case 'PUT':
      case 'POST': {
        const config = readInvokeConfig(
          json(body),
          method === 'POST' ? record.eventInvokeConfig : undefined,
        );
        await lambda.functions.change(record, (r) => (r.eventInvokeConfig = config));
        return send(response, 200, eventInvokeConfig(record, config));
      }
      case 'GET':
        if (!record.eventInvokeConfig) {
          throw new AwsError(
            'ResourceNotFoundException',
            `The function ${record.arn}:$LATEST doesn't have an EventInvokeConfig`,
            404,
          );
        }
        return send(response, 200, eventInvokeConfig(record, record.eventInvokeConfig));
      case 'DELETE':
        await lambda.functions.change(record, (r) => delete r.eventInvokeConfig);
        return send(response, 204);
    }
  }
  if (version !== '2015-03-31') return unsupported(method, url);

  if (!identifier) {
    if (method === 'POST') {
      return send(response, 201, configuration(await lambda.create(json(body), region)));
    }
    if (method === 'GET') {
      const { slice, marker } = page(lambda.functions.list(region), url);
      return send(response, 200, {
        Functions: slice.map(configuration),
        ...(marker ? { NextMarker: marker } : {}),
      });
    }
    return unsupported(method, url);
  }
  const record = find();
  switch (`${method} ${sub ?? ''}`) {
    case 'GET ':
      return send(response, 200, {
        Configuration: configuration(record),
        Code: { RepositoryType: 'S3' },
        Tags: record.tags,
      });
    case 'DELETE ':
      await lambda.delete(record);
      return send(response, 204);
    case 'GET configuration':
      return send(response, 200, configuration(record));
    case 'PUT configuration':
      return send(
        response,
        200,
        configuration(await lambda.updateConfiguration(record, json(body))),
      );
    case 'PUT code':
      return send(response, 200, configuration(await lambda.updateCode(record, json(body))));
    case 'POST invocations':
      return invoke(lambda, record, request, response, body);
    case 'POST policy': {
      const statement = addPermission(record, json(body));
      await lambda.functions.change(record, (r) => r.policy.push(statement));
      return send(response, 201, { Statement: JSON.stringify(statement) });
    }
    case 'GET policy':
      if (record.policy.length === 0) {
        throw new AwsError(
          'ResourceNotFoundException',
          'The resource you requested does not exist.',
          404,
        );
      }
      return send(response, 200, {
        Policy: JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: record.policy }),
        RevisionId: record.revisionId,
      });
    case 'DELETE policy': {
      if (!record.policy.some((statement) => statement.Sid === subId)) {
        throw new AwsError(
          'ResourceNotFoundException',
          `Statement ${subId ?? ''} is not found in resource policy.`,
          404,
        );
      }
      await lambda.functions.change(record, (r) => {
        r.policy = r.policy.filter((statement) => statement.Sid !== subId);
      });
      return send(response, 204);
    }
  }
  return unsupported(method, url);
}

async function invoke(
  lambda: LambdaService,
  record: FunctionRecord,
  request: IncomingMessage,
  response: ServerResponse,
  body: Buffer,
): Promise<void> {
  const type = String(request.headers['x-amz-invocation-type'] ?? 'RequestResponse');
  const limit = type === 'Event' ? PAYLOAD_LIMITS.event : PAYLOAD_LIMITS.requestResponse;
  if (body.length > limit) {
    throw new AwsError(
      'RequestTooLargeException',
      `Request must be smaller than ${limit} bytes for the InvokeFunction operation`,
      413,
    );
  }
  const payload = body.length === 0 ? '{}' : body.toString('utf8');
  try {
    JSON.parse(payload);
  } catch (error: unknown) {
    throw new AwsError(
      'InvalidRequestContentException',
      `Could not parse request body into json: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  switch (type) {
    case 'DryRun':
      return send(response, 204);
    case 'Event': {
      const requestId = await lambda.enqueue(record, payload);
      return send(response, 202, undefined, { 'x-amzn-requestid': requestId });
    }
    case 'RequestResponse': {
      const tail = request.headers['x-amz-log-type'] === 'Tail';
      const clientContext = readClientContext(request.headers['x-amz-client-context']);
      const result = await lambda.invoke(record, payload, { tail, clientContext });
      return send(response, 200, result.payload, {
        'x-amzn-requestid': result.requestId,
        'x-amz-executed-version': '$LATEST',
        ...(result.functionError ? { 'x-amz-function-error': result.functionError } : {}),
        ...(result.logResult ? { 'x-amz-log-result': result.logResult } : {}),
      });
    }
    default:
      throw validation(
        type,
        'invocationType',
        'Member must satisfy enum value set: [Event, RequestResponse, DryRun]',
      );
  }
}

/** The base64 JSON of `X-Amz-Client-Context`; Lambda refuses what does not decode. */
function readClientContext(header: string | string[] | undefined): unknown {
  if (typeof header !== 'string' || header === '') return undefined;
  try {
    return JSON.parse(Buffer.from(header, 'base64').toString('utf8'));
  } catch {
    throw new AwsError(
      'InvalidRequestContentException',
      'Client context must be a valid Base64-encoded JSON object.',
    );
  }
}

function unsupported(method: string, url: URL): never {
  throw new AwsError(
    'UnknownOperationException',
    `Lambda operation ${method} ${url.pathname} is not supported by local AWS (account ${LOCAL_ACCOUNT_ID})`,
    501,
  );
}
