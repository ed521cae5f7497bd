import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError, readBody, sendRestXmlError, sendXml } from '../http.js';
import { decodeAwsChunked, isAwsChunked } from './awsChunked.js';
import { BUCKET_OPERATIONS } from './bucketOperations.js';
import type { Multipart } from './Multipart.js';
import { MULTIPART_OPERATIONS } from './multipartOperations.js';
import { OBJECT_OPERATIONS } from './objectOperations.js';
import { resolveRequest } from './operations.js';
import type { S3Request } from './operations.js';
import type { S3Store } from './S3Store.js';
import { S3Error } from './S3Store.js';

/** What an operation runs with. */
export interface OperationContext {
  request: IncomingMessage;
  response: ServerResponse;
  s3: S3Request;
  store: S3Store;
  uploads: Multipart;
  /** The request's payload: aws-chunked framing removed, length checked. */
  body(): Promise<Buffer>;
  /** Answers with an XML document. */
  xml(status: number, document: string, headers?: Record<string, string>): void;
  /** Answers with no body. */
  empty(status: number, headers?: Record<string, string>): void;
}

/** An operation's implementation. */
export type Operation = (context: OperationContext) => Promise<void> | void;

const OPERATIONS: Record<string, Operation> = {
  ...BUCKET_OPERATIONS,
  ...OBJECT_OPERATIONS,
  ...MULTIPART_OPERATIONS,
};

/**
 * Reads a body and checks it is whole: as long as `Content-Length` (or, for aws-chunked uploads,
 * `x-amz-decoded-content-length`) says. A body cut short never reaches the store.
 */
export async function readPayload(request: IncomingMessage): Promise<Buffer> {
  const raw = await readBody(request);
  const declared = request.headers['content-length'];
  if (!request.complete || (declared !== undefined && raw.length !== Number(declared))) {
    throw new AwsError(
      'IncompleteBody',
      'You did not provide the number of bytes specified by the Content-Length HTTP header',
    );
  }
  if (!isAwsChunked(request.headers)) return raw;
  const payload = decodeAwsChunked(raw);
  const decoded = request.headers['x-amz-decoded-content-length'];
  if (decoded !== undefined && payload.length !== Number(decoded)) {
    throw new AwsError(
      'IncompleteBody',
      'The decoded body is not as long as x-amz-decoded-content-length says',
    );
  }
  return payload;
}

/** Serves S3's REST protocol (path-style) from a store. */
export async function handleS3(
  request: IncomingMessage,
  response: ServerResponse,
  options: { store: S3Store; uploads: Multipart; region: string },
): Promise<void> {
  const rawUrl = request.url ?? '/';
  let consumed = false;
  try {
    const s3 = resolveRequest(request.method ?? 'GET', rawUrl, options.region, request.headers);
    const context: OperationContext = {
      request,
      response,
      s3,
      store: options.store,
      uploads: options.uploads,
      body: () => {
        consumed = true;
        return readPayload(request);
      },
      xml: (status, document, headers = {}) => {
        for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
        sendXml(response, status, document);
      },
      empty: (status, headers = {}) => {
        response.writeHead(status, { ...headers, 'content-length': 0 }).end();
      },
    };
    const operation = OPERATIONS[s3.operation];
    if (!operation)
      throw new AwsError('NotImplemented', `Local S3 does not implement ${s3.operation}`, 501);
    await operation(context);
    if (!consumed) request.resume();
  } catch (error: unknown) {
    if (!(error instanceof AwsError)) throw error;
    if (!consumed) request.resume();
    if (response.headersSent) {
      response.destroy();
      return;
    }
    if (error instanceof S3Error) {
      for (const [name, value] of Object.entries(error.headers)) response.setHeader(name, value);
    }
    if (request.method === 'HEAD') {
      response.writeHead(error.status, { 'x-amz-error-code': error.code }).end();
      return;
    }
    sendRestXmlError(response, error, rawUrl.split('?')[0]);
  }
}
