import type { IncomingMessage, ServerResponse } from 'node:http';
import { arn, LOCAL_ACCOUNT_ID } from '../account.js';
import { Clock } from '../clock.js';
import { AwsError, readBody, sendJson } from '../http.js';
import { sendQueryError, sendQueryResult } from '../query.js';
import {
  invalidParameter,
  missingParameter,
  QUERY_ERROR_CODES,
  QueueDoesNotExistError,
  SqsError,
} from './errors.js';
import type { MessageAttribute } from './md5.js';
import type { ReceivedMessage } from './messages.js';
import { queryInput, queryResult, SQS_XMLNS } from './queryProtocol.js';
import { QueueStore } from './queues.js';
import type { CreateQueueInput } from './queues.js';

export { QueueDoesNotExistError, SqsError } from './errors.js';
export type { MessageAttribute } from './md5.js';
export type { ReceivedMessage } from './messages.js';

type Json = Record<string, unknown>;

/** SQS's operations, by which the gateway tells an unsigned query-protocol call for SQS apart. */
export const SQS_ACTIONS = [
  'CreateQueue',
  'GetQueueUrl',
  'ListQueues',
  'DeleteQueue',
  'PurgeQueue',
  'GetQueueAttributes',
  'SetQueueAttributes',
  'TagQueue',
  'UntagQueue',
  'ListQueueTags',
  'SendMessage',
  'SendMessageBatch',
  'ReceiveMessage',
  'DeleteMessage',
  'DeleteMessageBatch',
  'ChangeMessageVisibility',
  'ChangeMessageVisibilityBatch',
] as const;

const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';
const BATCH_LIMIT = 10;
const BATCH_ID = /^[\w-]{1,80}$/;
const MAX_BATCH_BYTES = 262_144;

/** Where a call came from: its region, and the endpoint its queue URLs should point at. */
interface CallContext {
  region: string;
  endpoint: string;
  signal?: AbortSignal;
}

function optionalString(input: Json, name: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw invalidParameter(name, JSON.stringify(value), 'must be a string');
  return value;
}

function requiredString(input: Json, name: string): string {
  const value = optionalString(input, name);
  if (value === undefined || value === '') throw missingParameter(name);
  return value;
}

function optionalNumber(input: Json, name: string): number | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || Number.isNaN(value))
    throw invalidParameter(name, JSON.stringify(value), 'must be an integer');
  return value;
}

function stringMap(input: Json, name: string): Record<string, string> {
  const value = input[name] ?? {};
  if (
    typeof value !== 'object' ||
    value === null ||
    Array.isArray(value) ||
    Object.values(value).some((item) => typeof item !== 'string')
  )
    throw invalidParameter(name, JSON.stringify(value), 'must be a map of strings to strings');
  return value as Record<string, string>;
}

function stringList(input: Json, name: string): string[] {
  const value = input[name] ?? [];
  if (!Array.isArray(value)) throw invalidParameter(name, JSON.stringify(value), 'must be a list');
  return value.map(String);
}

/** The batch entries of a *Batch call, checked as SQS checks them (count, distinct valid ids). */
function batchEntries(input: Json, action: string): Json[] {
  const entries = input.Entries;
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new SqsError(
      'EmptyBatchRequest',
      `There should be at least one ${action}RequestEntry in the request.`,
    );
  }
  if (entries.length > BATCH_LIMIT) {
    throw new SqsError(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are ${BATCH_LIMIT}. You have sent ${entries.length}.`,
    );
  }
  const seen = new Set<string>();
  for (const entry of entries as Json[]) {
    const id = String(entry.Id ?? '');
    if (!BATCH_ID.test(id)) {
      throw new SqsError(
        'InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      );
    }
    if (seen.has(id)) throw new SqsError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
    seen.add(id);
  }
  return entries as Json[];
}

/** Runs each batch entry, turning an entry's error into a `Failed` item as SQS does. */
async function eachEntry(
  entries: Json[],
  work: (entry: Json) => Promise<Json>,
): Promise<{ Successful: Json[]; Failed: Json[] }> {
  const result = { Successful: [] as Json[], Failed: [] as Json[] };
  for (const entry of entries) {
    try {
      result.Successful.push({ Id: entry.Id, ...(await work(entry)) });
    } catch (error: unknown) {
      if (!(error instanceof AwsError)) throw error;
      result.Failed.push({
        Id: entry.Id,
        SenderFault: error.sender,
        Code: QUERY_ERROR_CODES[error.code] ?? error.code,
        Message: error.message,
      });
    }
  }
  return result;
}

/**
 * SQS, built here: standard queues over both of SQS's wire protocols (JSON for today's SDKs,
 * query for older CLIs), and a typed in-process API for other local services.
 */
export class SqsService {
  private readonly store: QueueStore;
  private closing = false;

  constructor(
    stateDir: string,
    private readonly endpoint: () => string,
    clock: Clock = new Clock(),
  ) {
    this.store = new QueueStore(stateDir, clock);
  }

  /** Loads the queues saved by the previous run. */
  start(): Promise<void> {
    return this.store.load();
  }

  /** Ends long polls and finishes writing state. */
  close(): Promise<void> {
    this.closing = true;
    return this.store.close();
  }

  /** A long poll answered by shutdown ends its connection too, so the port frees at once. */
  private hangUpIfClosing(response: ServerResponse): void {
    if (this.closing) response.shouldKeepAlive = false;
  }

  /** A queue's URL: `<endpoint>/<account>/<name>`. */
  queueUrl(queueArn: string, endpoint = this.endpoint()): string {
    const queue = this.store.get(queueArn);
    return `${endpoint}/${LOCAL_ACCOUNT_ID}/${queue.name}`;
  }

  /** Creates a queue (idempotent for the same attributes); returns its URL and ARN. */
  async createQueue(input: CreateQueueInput): Promise<{ url: string; arn: string }> {
    const queue = await this.store.create(input);
    return { url: this.queueUrl(queue.arn), arn: queue.arn };
  }

  /** Deletes a queue; {@link QueueDoesNotExistError} when there is none. */
  deleteQueue(queueArn: string): Promise<void> {
    return this.store.delete(queueArn);
  }

  /** A queue's attributes (`All` by default), as GetQueueAttributes answers them. */
  queueAttributes(queueArn: string, names: readonly string[] = ['All']): Record<string, string> {
    return this.store.attributes(queueArn, names);
  }

  /** A queue's Policy attribute, if it exists and has one: the resource policy IAM evaluates. */
  queuePolicy(queueArn: string): string | undefined {
    try {
      return this.store.attributes(queueArn, ['Policy']).Policy || undefined;
    } catch (error: unknown) {
      if (error instanceof QueueDoesNotExistError) return undefined;
      throw error;
    }
  }

  /** Sets queue attributes, checked as SetQueueAttributes checks them. */
  setQueueAttributes(queueArn: string, attributes: Record<string, string>): Promise<void> {
    return this.store.setAttributes(queueArn, attributes);
  }

  /**
   * Sends a message to a queue by ARN and returns its MessageId; {@link QueueDoesNotExistError}
   * when there is no such queue, an {@link SqsError} for a message SQS would refuse.
   */
  async sendMessage(
    queueArn: string,
    body: string,
    attributes?: Record<string, MessageAttribute>,
  ): Promise<string> {
    return (await this.store.send(queueArn, { body, attributes })).id;
  }

  /** Receives messages from a queue by ARN, as ReceiveMessage does. */
  receiveMessages(
    queueArn: string,
    options: { maxNumberOfMessages?: number; waitTimeSeconds?: number } = {},
  ): Promise<ReceivedMessage[]> {
    return this.store.receive(queueArn, {
      ...options,
      attributeNames: ['All'],
      messageAttributeNames: ['All'],
    });
  }

  /** Serves one SQS request in whichever protocol it came: JSON (`x-amz-target`) or query. */
  async handle(
    request: IncomingMessage,
    response: ServerResponse,
    region: string,
    url: URL,
    body?: Buffer,
  ): Promise<void> {
    const text = (body ?? (await readBody(request))).toString('utf8');
    const aborted = new AbortController();
    response.once('close', () => aborted.abort());
    const context: CallContext = {
      region,
      endpoint: request.headers.host ? `http://${request.headers.host}` : this.endpoint(),
      signal: aborted.signal,
    };
    const target = request.headers['x-amz-target'];
    if (typeof target === 'string') {
      const operation = target.replace(/^AmazonSQS\./, '');
      try {
        const input = text ? (JSON.parse(text) as Json) : {};
        const output = await this.call(operation, input, context);
        this.hangUpIfClosing(response);
        sendJson(response, 200, output, JSON_CONTENT_TYPE);
      } catch (error: unknown) {
        const failure =
          error instanceof SyntaxError
            ? new SqsError('SerializationException', 'The request body is not valid JSON.')
            : error;
        if (!(failure instanceof AwsError)) throw failure;
        const queryCode = QUERY_ERROR_CODES[failure.code] ?? failure.code;
        response.setHeader(
          'x-amzn-query-error',
          `${queryCode};${failure.sender ? 'Sender' : 'Receiver'}`,
        );
        sendJson(
          response,
          failure.status,
          { __type: `com.amazonaws.sqs#${failure.code}`, message: failure.message },
          JSON_CONTENT_TYPE,
        );
      }
      return;
    }
    const params = new URLSearchParams(text || url.search);
    const action = params.get('Action') ?? '';
    const fromPath = /^\/\d{12}\/[^/]+$/.test(url.pathname)
      ? `${context.endpoint}${url.pathname}`
      : undefined;
    try {
      const output = await this.call(action, queryInput(params, fromPath), context);
      this.hangUpIfClosing(response);
      sendQueryResult(response, action, SQS_XMLNS, queryResult(output, action));
    } catch (error: unknown) {
      if (!(error instanceof AwsError)) throw error;
      const code = QUERY_ERROR_CODES[error.code] ?? error.code;
      sendQueryError(
        response,
        SQS_XMLNS,
        new AwsError(code, error.message, error.status, error.sender),
      );
    }
  }

  /** The queue a QueueUrl names (any host: clients may reach local AWS by another name). */
  private queueArn(input: Json, context: CallContext): string {
    const queueUrl = requiredString(input, 'QueueUrl');
    let path: string[];
    try {
      path = new URL(queueUrl).pathname.split('/').filter(Boolean);
    } catch {
      throw new QueueDoesNotExistError(queueUrl);
    }
    if (path.length !== 2 || path[0] !== LOCAL_ACCOUNT_ID)
      throw new QueueDoesNotExistError(queueUrl);
    return arn('sqs', context.region, path[1]!);
  }

  /** Runs one operation on JSON-protocol input and returns JSON-protocol output. */
  private async call(operation: string, input: Json, context: CallContext): Promise<Json> {
    const store = this.store;
    switch (operation) {
      case 'CreateQueue': {
        const queue = await store.create({
          name: requiredString(input, 'QueueName'),
          region: context.region,
          attributes: stringMap(input, 'Attributes'),
          tags: stringMap(input, 'tags'),
        });
        return { QueueUrl: this.queueUrl(queue.arn, context.endpoint) };
      }
      case 'GetQueueUrl': {
        const name = requiredString(input, 'QueueName');
        const owner = optionalString(input, 'QueueOwnerAWSAccountId') ?? LOCAL_ACCOUNT_ID;
        const queueArn = arn('sqs', context.region, name);
        if (owner !== LOCAL_ACCOUNT_ID) throw new QueueDoesNotExistError(name);
        return { QueueUrl: this.queueUrl(queueArn, context.endpoint) };
      }
      case 'ListQueues':
        return this.listQueues(input, context);
      case 'DeleteQueue':
        await store.delete(this.queueArn(input, context));
        return {};
      case 'PurgeQueue':
        await store.purge(this.queueArn(input, context));
        return {};
      case 'GetQueueAttributes': {
        const names = stringList(input, 'AttributeNames');
        const attributes = store.attributes(this.queueArn(input, context), names);
        return Object.keys(attributes).length > 0 ? { Attributes: attributes } : {};
      }
      case 'SetQueueAttributes':
        await store.setAttributes(this.queueArn(input, context), stringMap(input, 'Attributes'));
        return {};
      case 'TagQueue':
        await store.tag(this.queueArn(input, context), stringMap(input, 'Tags'));
        return {};
      case 'UntagQueue':
        await store.untag(this.queueArn(input, context), stringList(input, 'TagKeys'));
        return {};
      case 'ListQueueTags': {
        const tags = store.get(this.queueArn(input, context)).tags;
        return Object.keys(tags).length > 0 ? { Tags: tags } : {};
      }
      case 'SendMessage':
        return this.send(this.queueArn(input, context), input);
      case 'SendMessageBatch': {
        const queueArn = this.queueArn(input, context);
        const entries = batchEntries(input, 'SendMessageBatch');
        const size = entries.reduce(
          (total, entry) => total + Buffer.byteLength(String(entry.MessageBody ?? ''), 'utf8'),
          0,
        );
        if (size > MAX_BATCH_BYTES) {
          throw new SqsError(
            'BatchRequestTooLong',
            `Batch requests cannot be longer than ${MAX_BATCH_BYTES} bytes. You have sent ${size} bytes.`,
          );
        }
        return eachEntry(entries, (entry) => this.send(queueArn, entry));
      }
      case 'ReceiveMessage': {
        const messages = await store.receive(this.queueArn(input, context), {
          maxNumberOfMessages: optionalNumber(input, 'MaxNumberOfMessages'),
          visibilityTimeout: optionalNumber(input, 'VisibilityTimeout'),
          waitTimeSeconds: optionalNumber(input, 'WaitTimeSeconds'),
          attributeNames: [
            ...stringList(input, 'AttributeNames'),
            ...stringList(input, 'MessageSystemAttributeNames'),
          ],
          messageAttributeNames: stringList(input, 'MessageAttributeNames'),
          signal: context.signal,
        });
        return messages.length > 0 ? { Messages: messages } : {};
      }
      case 'DeleteMessage':
        await store.deleteMessage(this.queueArn(input, context), input.ReceiptHandle);
        return {};
      case 'DeleteMessageBatch': {
        const queueArn = this.queueArn(input, context);
        return eachEntry(batchEntries(input, 'DeleteMessageBatch'), async (entry) => {
          await store.deleteMessage(queueArn, entry.ReceiptHandle);
          return {};
        });
      }
      case 'ChangeMessageVisibility':
        await store.changeVisibility(
          this.queueArn(input, context),
          input.ReceiptHandle,
          input.VisibilityTimeout,
        );
        return {};
      case 'ChangeMessageVisibilityBatch': {
        const queueArn = this.queueArn(input, context);
        const entries = batchEntries(input, 'ChangeMessageVisibilityBatch');
        return eachEntry(entries, async (entry) => {
          await store.changeVisibility(queueArn, entry.ReceiptHandle, entry.VisibilityTimeout);
          return {};
        });
      }
      default:
        throw new SqsError(
          'UnknownOperationException',
          `The action ${operation || '(none)'} is not valid for this endpoint (or not supported by local AWS).`,
        );
    }
  }

  private async send(queueArn: string, input: Json): Promise<Json> {
    const message = await this.store.send(queueArn, {
      body: input.MessageBody,
      attributes: input.MessageAttributes as Record<string, MessageAttribute> | undefined,
      delaySeconds: optionalNumber(input, 'DelaySeconds'),
      groupId: optionalString(input, 'MessageGroupId'),
      deduplicationId: optionalString(input, 'MessageDeduplicationId'),
    });
    return {
      MessageId: message.id,
      MD5OfMessageBody: message.md5,
      MD5OfMessageAttributes: message.attributesMd5,
      SequenceNumber: message.sequenceNumber,
    };
  }

  private listQueues(input: Json, context: CallContext): Json {
    const prefix = optionalString(input, 'QueueNamePrefix') ?? '';
    const max = optionalNumber(input, 'MaxResults');
    if (max !== undefined && (!Number.isInteger(max) || max < 1 || max > 1000))
      throw invalidParameter(
        'MaxResults',
        max,
        'MaxResults must be an integer between 1 and 1000.',
      );
    const token = optionalString(input, 'NextToken');
    const start = token ? Number(Buffer.from(token, 'base64').toString('utf8')) : 0;
    if (!Number.isInteger(start) || start < 0)
      throw invalidParameter('NextToken', token, 'Invalid or expired next token.');
    const urls = this.store
      .list(context.region, prefix)
      .map((queue) => this.queueUrl(queue.arn, context.endpoint));
    const page = urls.slice(start, start + (max ?? 1000));
    const next = start + page.length;
    return {
      QueueUrls: page.length > 0 ? page : undefined,
      NextToken:
        max !== undefined && next < urls.length
          ? Buffer.from(String(next)).toString('base64')
          : undefined,
    };
  }
}
