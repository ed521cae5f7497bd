import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError, readBody, requestId, sendXml, xmlEscape } from './http.js';

/** A value the query protocol's XML answers are built from. */
export type XmlValue =
  string | number | boolean | Date | undefined | XmlValue[] | { [key: string]: XmlValue };

/** Dates as IAM and STS write them: ISO 8601 in UTC, without milliseconds. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Renders a value as the query protocol's XML: objects as elements, lists as `<member>` elements
 * (IAM and STS; SQS flattens its lists and builds them itself), dates in ISO 8601, and nothing for
 * `undefined`, as AWS leaves absent fields out.
 */
export function toXml(value: XmlValue): string {
  if (value === undefined) return '';
  if (value instanceof Date) return isoSeconds(value);
  if (Array.isArray(value)) return value.map((item) => `<member>${toXml(item)}</member>`).join('');
  if (typeof value === 'object') {
    return Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .map(([key, item]) => `<${key}>${toXml(item)}</${key}>`)
      .join('');
  }
  return xmlEscape(String(value));
}

/** Answers a query-protocol call: `<ActionResponse><ActionResult>...` and the request id. */
export function sendQueryResult(
  response: ServerResponse,
  action: string,
  namespace: string,
  result: string | undefined,
): void {
  sendXml(
    response,
    200,
    `<${action}Response xmlns="${namespace}">` +
      (result === undefined ? '' : `<${action}Result>${result}</${action}Result>`) +
      `<ResponseMetadata><RequestId>${requestId()}</RequestId></ResponseMetadata></${action}Response>`,
  );
}

/** Answers a query-protocol error: `<ErrorResponse><Error><Type><Code><Message>`. */
export function sendQueryError(response: ServerResponse, namespace: string, error: AwsError): void {
  sendXml(
    response,
    error.status,
    `<ErrorResponse xmlns="${namespace}"><Error><Type>${error.sender ? 'Sender' : 'Receiver'}</Type>` +
      `<Code>${xmlEscape(error.code)}</Code><Message>${xmlEscape(error.message)}</Message></Error>` +
      `<RequestId>${requestId()}</RequestId></ErrorResponse>`,
  );
}

/** Reads a `Name.member.N` (or `Name.N`, with `member` left empty) list of the query protocol. */
export function queryList(params: URLSearchParams, prefix: string): string[] {
  const items: string[] = [];
  for (let index = 1; params.has(`${prefix}.${index}`); index++) {
    items.push(params.get(`${prefix}.${index}`)!);
  }
  return items;
}

/** Reads a list of `Prefix.N.Key`/`Prefix.N.Value` pairs of the query protocol as a map. */
export function queryPairs(
  params: URLSearchParams,
  prefix: string,
  key = 'Key',
  value = 'Value',
): Record<string, string> {
  const result: Record<string, string> = {};
  for (let index = 1; params.has(`${prefix}.${index}.${key}`); index++) {
    result[params.get(`${prefix}.${index}.${key}`)!] =
      params.get(`${prefix}.${index}.${value}`) ?? '';
  }
  return result;
}

/** The query-protocol actions of one service, for the gateway to tell unsigned calls apart. */
export function isAction(actions: readonly string[], params: URLSearchParams): boolean {
  return actions.includes(params.get('Action') ?? '');
}

/** A required query parameter, or the `MissingParameter` error AWS answers without it. */
export function requiredParam(params: URLSearchParams, name: string): string {
  const value = params.get(name);
  if (value === null || value === '') {
    throw new AwsError('MissingParameter', `The request must contain the parameter ${name}.`, 400);
  }
  return value;
}

/** The error a query-protocol service answers for an Action it does not know. */
export function unknownAction(action: string): AwsError {
  return new AwsError(
    'InvalidAction',
    `The action ${action || '(none)'} is not valid for this endpoint (or not supported by local AWS).`,
  );
}

/** Where a query-protocol request came from and which service answers it. */
export interface QueryRequest {
  /** The request's URL: its query string holds the parameters when the body is empty. */
  url: URL;
  /** The service's XML namespace (`https://iam.amazonaws.com/doc/2010-05-08/`). */
  namespace: string;
  /** The body, when the gateway already read it (an unsigned call routed by its Action). */
  body?: Buffer;
}

/**
 * Serves one request of the query protocol (IAM, STS, SNS, CloudFormation): reads the form body
 * (or the query string), runs its `Action`, and answers the result XML or its {@link AwsError} in
 * the protocol's error shape. `run` returns the inside of `<ActionResult>` (`undefined`: none).
 */
export async function serveQueryOperation(
  request: IncomingMessage,
  response: ServerResponse,
  { url, namespace, body }: QueryRequest,
  run: (action: string, params: URLSearchParams) => Promise<string | undefined>,
): Promise<void> {
  const text = (body ?? (await readBody(request))).toString('utf8');
  const params = new URLSearchParams(text || url.search);
  const action = params.get('Action') ?? '';
  try {
    sendQueryResult(response, action, namespace, await run(action, params));
  } catch (error: unknown) {
    if (!(error instanceof AwsError)) throw error;
    sendQueryError(response, namespace, error);
  }
}
