import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { messageOf } from '../lib/errors.js';
import { handleAdmin } from './admin.js';
import { CLOUDFORMATION_ACTIONS } from './cloudformation/index.js';
import type { CloudFormationService } from './cloudformation/index.js';
import type { DynamoDbService } from './dynamodb/index.js';
import type { Faults } from './faults.js';
import type { FirehoseService } from './firehose/index.js';
import type { LambdaService } from './lambda/index.js';
import type { LogsService } from './logs/index.js';
import type { IamService } from './iam/index.js';
import { IAM_ACTIONS } from './iam/index.js';
import { AwsError, ClientGoneError, readBody, sendProtocolError } from './http.js';
import type { Protocol } from './http.js';
import { isAction } from './query.js';
import type { S3Service } from './s3/index.js';
import type { SchedulerService } from './scheduler/index.js';
import { credentialScope, headerScope } from './sigv4.js';
import type { SnsService } from './sns/index.js';
import { SQS_ACTIONS } from './sqs/index.js';
import type { SqsService } from './sqs/index.js';
import { STS_ACTIONS } from './sts/index.js';
import type { StsService } from './sts/index.js';

/** The services one gateway serves. */
export interface Services {
  dynamodb: DynamoDbService;
  s3: S3Service;
  firehose: FirehoseService;
  sns: SnsService;
  lambda: LambdaService;
  logs: LogsService;
  sqs: SqsService;
  sts: StsService;
  iam: IamService;
  scheduler: SchedulerService;
  cloudformation: CloudFormationService;
  faults: Faults;
  /** The clock's scale, reported by `GET /_local/health`. */
  timeScale?: number;
}

/** The services a request can be routed to, by the service name in its SigV4 credential scope. */
export const SERVICE_NAMES = [
  'dynamodb',
  's3',
  'firehose',
  'sns',
  'lambda',
  'logs',
  'sqs',
  'sts',
  'iam',
  'scheduler',
  'cloudformation',
] as const;

/** Each service's wire protocol, which decides the shape of the errors the gateway answers for it. */
const PROTOCOLS: Record<(typeof SERVICE_NAMES)[number], Protocol> = {
  dynamodb: 'json-1.0',
  s3: 'rest-xml',
  firehose: 'json-1.1',
  sns: 'query',
  lambda: 'rest-json',
  logs: 'json-1.1',
  sqs: 'json-1.0',
  sts: 'query',
  iam: 'query',
  scheduler: 'rest-json',
  cloudformation: 'query',
};

/** How long a client may take, so that a stuck or slow one cannot hold a connection forever. */
export interface GatewayTimeouts {
  /** To send the request headers (Node's `headersTimeout`). */
  headersMs: number;
  /** To send the whole request, body included (Node's `requestTimeout`). */
  requestMs: number;
  /** An idle keep-alive connection stays open this long between requests. */
  keepAliveMs: number;
  /** A connection with no traffic either way (a client that stopped reading) is closed. */
  idleMs: number;
  /** How often the header and request deadlines are checked. */
  checkIntervalMs: number;
}

/** Generous for a loopback client (a 512 MiB upload takes seconds), short enough to free a stuck one. */
export const DEFAULT_TIMEOUTS: GatewayTimeouts = {
  headersMs: 20_000,
  requestMs: 120_000,
  keepAliveMs: 5_000,
  idleMs: 120_000,
  checkIntervalMs: 1_000,
};

const DEFAULT_REGION = 'us-east-1';

/** A region name such as `eu-west-1`; also keeps `..` or `/` out of the state paths built from it. */
const REGION = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** Which protocol a request for an unknown service speaks, from its shape. */
function guessProtocol(request: IncomingMessage, url: URL): Protocol {
  if (request.headers['x-amz-target']) return 'json-1.1';
  if (
    url.searchParams.has('Action') ||
    String(request.headers['content-type']).startsWith('application/x-www-form-urlencoded')
  ) {
    return 'query';
  }
  return 'rest-xml';
}

/** Which service an unsigned request is for, from the shape of its protocol. */
function guessService(request: IncomingMessage, url: URL): string {
  const target = String(request.headers['x-amz-target'] ?? '');
  if (target.startsWith('DynamoDB_')) return 'dynamodb';
  // SigV2, in a presigned URL's query or the header: only S3 still accepts it.
  if (url.searchParams.has('AWSAccessKeyId') || request.headers.authorization?.startsWith('AWS '))
    return 's3';
  if (target.startsWith('Firehose_')) return 'firehose';
  if (target.startsWith('Logs_')) return 'logs';
  if (/^\/20\d\d-\d\d-\d\d\/(functions|tags)\//.test(url.pathname)) return 'lambda';
  if (target.startsWith('AmazonSQS.')) return 'sqs';
  // A form post names its service only in its Action, in the body: see queryService.
  return guessProtocol(request, url) === 'query' ? 'query' : 's3';
}

/** Which query-protocol service an unsigned form post is for, from its Action. */
function queryService(params: URLSearchParams): string {
  if (isAction(SQS_ACTIONS, params)) return 'sqs';
  if (isAction(STS_ACTIONS, params)) return 'sts';
  if (isAction(IAM_ACTIONS, params)) return 'iam';
  if (isAction(CLOUDFORMATION_ACTIONS, params)) return 'cloudformation';
  return 'sns';
}

function protocolOf(service: string, request: IncomingMessage, url: URL): Protocol {
  return service in PROTOCOLS
    ? PROTOCOLS[service as keyof typeof PROTOCOLS]
    : guessProtocol(request, url);
}

/** Creates the HTTP server that routes each request to its service. */
export function createGateway(
  services: Services,
  log: (line: string) => void,
  timeouts: GatewayTimeouts = DEFAULT_TIMEOUTS,
): Server {
  /**
   * Runs one service's handler so that nothing it throws, at once or later, escapes: the client
   * gets a 500 in that service's protocol, and the process keeps serving everyone else.
   */
  const guard = (
    request: IncomingMessage,
    response: ServerResponse,
    protocol: Protocol,
    handle: () => Promise<void> | void,
  ): void => {
    const fail = (error: unknown) => {
      if (error instanceof ClientGoneError || request.socket.destroyed) {
        response.destroy(); // nobody is left to answer
        return;
      }
      if (response.headersSent) {
        log(`local AWS: ${request.method} ${request.url} failed mid-answer: ${messageOf(error)}`);
        response.destroy();
        return;
      }
      if (error instanceof AwsError) {
        request.resume();
        sendProtocolError(response, error, protocol);
        return;
      }
      log(`local AWS: ${request.method} ${request.url} failed: ${messageOf(error)}`);
      request.resume();
      sendProtocolError(
        response,
        new AwsError('InternalFailure', `local AWS failed: ${messageOf(error)}`, 500, false),
        protocol,
      );
    };
    try {
      const pending = handle();
      if (pending) pending.catch(fail);
    } catch (error: unknown) {
      fail(error);
    }
  };

  const route = (request: IncomingMessage, response: ServerResponse): void => {
    // The hot path (a signed DynamoDB call) needs neither the URL nor an await.
    const signed = headerScope(request);
    if (signed?.service === 'dynamodb' && REGION.test(signed.region)) {
      guard(request, response, PROTOCOLS.dynamodb, () =>
        services.dynamodb.handle(request, response, signed.region),
      );
      return;
    }
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    // The raw path too: a key such as `b/../_local/x` normalises to an admin path but is S3's.
    if (url.pathname.startsWith('/_local/') && request.url?.startsWith('/_local/')) {
      guard(request, response, 'rest-json', () =>
        handleAdmin(request, response, url.pathname, {
          faults: services.faults,
          services: SERVICE_NAMES,
          backends: async (region: string) => ({
            dynamodb: await services.dynamodb.directPort(region),
            s3: services.s3.directPort,
          }),
          timeScale: services.timeScale ?? 1,
          url,
        }),
      );
      return;
    }
    const scope = signed ?? credentialScope(request, url);
    const guessed = scope?.service ?? guessService(request, url);
    const region = scope?.region ?? DEFAULT_REGION;
    const protocol = protocolOf(guessed, request, url);
    guard(request, response, protocol, async () => {
      if (!REGION.test(region)) {
        throw new AwsError(
          'InvalidSignatureException',
          `Credential should be scoped to a valid region, not '${region}'`,
        );
      }
      // An unsigned form post names its service only in its Action, so the body is read here.
      let service = guessed;
      let body: Buffer | undefined;
      if (service === 'query') {
        body = await readBody(request);
        service = queryService(new URLSearchParams(body.toString('utf8') || url.search));
      }
      switch (service) {
        case 'dynamodb':
          return services.dynamodb.handle(request, response, region);
        case 's3':
          return services.s3.handle(request, response, url);
        case 'firehose':
          return services.firehose.handle(request, response, region);
        case 'sns':
          return services.sns.handle(request, response, region, url, body);
        case 'sqs':
          return services.sqs.handle(request, response, region, url, body);
        case 'sts':
          return services.sts.handle(request, response, url, scope?.accessKeyId, body);
        case 'iam':
          return services.iam.handle(request, response, url, body);
        case 'cloudformation':
          return services.cloudformation.handle(request, response, region, url, body);
        case 'lambda':
          return services.lambda.handle(request, response, region, url);
        case 'logs':
          return services.logs.handle(request, response, region);
        case 'scheduler':
          return services.scheduler.handle(request, response, region, url);
        default:
          throw new AwsError(
            protocol === 'query'
              ? 'InvalidAction'
              : protocol === 'rest-xml'
                ? 'NotImplemented'
                : 'UnknownOperationException',
            `local AWS does not implement the ${service} service (it serves ${SERVICE_NAMES.join(', ')})`,
            501,
          );
      }
    });
  };

  const server = createServer(
    {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      connectionsCheckingInterval: timeouts.checkIntervalMs,
    },
    route,
  );
  server.keepAliveTimeout = timeouts.keepAliveMs;
  // With no 'timeout' listener Node destroys the socket; malformed requests it answers 400 itself.
  server.setTimeout(timeouts.idleMs);
  return server;
}
