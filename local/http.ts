import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Largest request body local AWS reads (Firehose's 4 MiB batch, S3 objects far larger). */
export const MAX_BODY_BYTES = 512 * 1024 * 1024;

/** Thrown by a service handler to answer with that service's error shape. */
export class AwsError extends Error {
  override name = 'AwsError';
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly sender = true,
  ) {
    super(message);
  }
}

/** Thrown when a client disconnects before its request body is complete: nobody is left to answer. */
export class ClientGoneError extends Error {
  override name = 'ClientGoneError';
}

/**
 * Collects a whole request body and calls `done` once, in the same tick as the body's end: with
 * `ClientGoneError` when the client goes away first (aborted body, reset connection), and with a
 * 413 `AwsError` past `limit`, so a handler never sees a stream error it did not expect.
 */
export function collectBody(
  request: IncomingMessage,
  limit: number,
  done: (error: Error | undefined, body: Buffer) => void,
): void {
  const kept = keptBodies.get(request);
  if (kept) {
    done(
      kept.length > limit
        ? new AwsError('RequestEntityTooLarge', `request body over ${limit} bytes`, 413)
        : undefined,
      kept,
    );
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let settled = false;
  // The listeners stay (removing them costs more than they do); the error listener, at least,
  // must: a late stream error must not become an uncaught exception.
  const settle = (error?: Error) => {
    if (settled) return;
    settled = true;
    done(error, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
  };
  const onData = (chunk: Buffer) => {
    if (settled) return;
    size += chunk.length;
    if (size > limit) {
      request.resume(); // drain the rest so the error can still be answered
      settle(new AwsError('RequestEntityTooLarge', `request body over ${limit} bytes`, 413));
    } else chunks.push(chunk);
  };
  const onEnd = () => settle();
  const onError = (error: Error) =>
    settle(new ClientGoneError(`the client went away mid-request: ${error.message}`));
  const onClose = () => {
    if (!request.complete) settle(new ClientGoneError('the client went away mid-request'));
  };
  request.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
}

/** Bodies the gateway read before routing (to authorise the call), kept for the service. */
const keptBodies = new WeakMap<IncomingMessage, Buffer>();

/** Keeps a body already read, so that the service's own `readBody` gets it instead of waiting. */
export function keepBody(request: IncomingMessage, body: Buffer): void {
  keptBodies.set(request, body);
}

/** Reads a whole request body; rejects as `collectBody` calls back (`ClientGoneError`, 413). */
export function readBody(request: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    collectBody(request, limit, (error, body) => (error ? reject(error) : resolve(body))),
  );
}

/** A request id in the form AWS uses. */
export function requestId(): string {
  return randomUUID();
}

/** Answers with a JSON body (the AWS JSON 1.0/1.1 protocols). */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  contentType = 'application/x-amz-json-1.1',
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': requestId(),
  });
  response.end(text);
}

/** Answers an AWS JSON protocol error: `{"__type": code, "message": ...}`. */
export function sendJsonError(
  response: ServerResponse,
  error: AwsError,
  contentType?: string,
): void {
  response.setHeader('x-amzn-errortype', error.code);
  sendJson(response, error.status, { __type: error.code, message: error.message }, contentType);
}

/** Escapes text for an XML element or attribute. */
export function xmlEscape(text: string): string {
  return text.replace(/[<>&'"\r]/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** Answers with an XML body (the query and REST-XML protocols). */
export function sendXml(response: ServerResponse, status: number, xml: string): void {
  const text = `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`;
  response.writeHead(status, {
    'content-type': 'text/xml',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': requestId(),
  });
  response.end(text);
}

/** Answers a REST-XML (S3-style) error. */
export function sendRestXmlError(response: ServerResponse, error: AwsError, resource = ''): void {
  sendXml(
    response,
    error.status,
    `<Error><Code>${xmlEscape(error.code)}</Code><Message>${xmlEscape(error.message)}</Message>` +
      `<Resource>${xmlEscape(resource)}</Resource><RequestId>${requestId()}</RequestId></Error>`,
  );
}

/** The wire protocols of the services local AWS serves; each has its own error shape. */
export type Protocol = 'json-1.0' | 'json-1.1' | 'rest-json' | 'query' | 'rest-xml';

const JSON_CONTENT_TYPES = {
  'json-1.0': 'application/x-amz-json-1.0',
  'json-1.1': 'application/x-amz-json-1.1',
  'rest-json': 'application/json',
} as const;

/** Answers an error in the shape a protocol's clients parse (code, message, sender or receiver). */
export function sendProtocolError(
  response: ServerResponse,
  error: AwsError,
  protocol: Protocol,
  resource = '',
): void {
  switch (protocol) {
    case 'query':
      sendXml(
        response,
        error.status,
        `<ErrorResponse><Error><Type>${error.sender ? 'Sender' : 'Receiver'}</Type>` +
          `<Code>${xmlEscape(error.code)}</Code><Message>${xmlEscape(error.message)}</Message></Error>` +
          `<RequestId>${requestId()}</RequestId></ErrorResponse>`,
      );
      return;
    case 'rest-xml':
      sendRestXmlError(response, error, resource);
      return;
    default:
      sendJsonError(response, error, JSON_CONTENT_TYPES[protocol]);
  }
}

/**
 * Serves one request of an AWS JSON protocol (`x-amz-target: <Prefix>.<Operation>`): parses the
 * body, runs the operation, and answers its result or its {@link AwsError} in the protocol's shape.
 */
export async function serveJsonOperation(
  request: IncomingMessage,
  response: ServerResponse,
  targetPrefix: string,
  run: (operation: string, input: Record<string, unknown>) => Promise<unknown>,
): Promise<void> {
  const target = String(request.headers['x-amz-target'] ?? '');
  const operation = target.startsWith(`${targetPrefix}.`)
    ? target.slice(targetPrefix.length + 1)
    : target;
  try {
    const body = (await readBody(request)).toString('utf8');
    let input: Record<string, unknown>;
    try {
      input = (body ? JSON.parse(body) : {}) as Record<string, unknown>;
    } catch {
      throw new AwsError('SerializationException', 'The request body is not valid JSON');
    }
    sendJson(response, 200, (await run(operation, input)) ?? {});
  } catch (error: unknown) {
    if (!(error instanceof AwsError)) throw error;
    sendJsonError(response, error);
  }
}
