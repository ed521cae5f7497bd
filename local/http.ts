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

/** Reads a whole request body. */
export async function readBody(request: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit)
      throw new AwsError('RequestEntityTooLarge', `request body over ${limit} bytes`, 413);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
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
