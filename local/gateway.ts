import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { messageOf } from '../lib/errors.js';
import { handleAdmin } from './admin.js';
import type { AthenaService } from './athena/index.js';
import type { CloudFormationService } from './cloudformation/index.js';
import type { DynamoDbService } from './dynamodb/index.js';
import type { Faults } from './faults.js';
import type { FirehoseService } from './firehose/index.js';
import type { GlueService } from './glue/index.js';
import type { LambdaService } from './lambda/index.js';
import type { LogsService } from './logs/index.js';
import type { Authorizer } from './iam/authorize.js';
import type { IamService } from './iam/index.js';
import { AwsError, ClientGoneError, readBody, sendProtocolError } from './http.js';
import type { Protocol } from './http.js';
import { isAction } from './query.js';
import type { S3Service } from './s3/index.js';
import type { SchedulerService } from './scheduler/index.js';
import { credentialScope, headerScope } from './sigv4.js';
import type { SnsService } from './sns/index.js';
import type { SqsService } from './sqs/index.js';
import type { StsService } from './sts/index.js';

/** Each service by its name in a SigV4 credential scope. */
export interface LocalServices {
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
  glue: GlueService;
  athena: AthenaService;
  cloudformation: CloudFormationService;
}

/** A service's name in a SigV4 credential scope. */
export type ServiceName = keyof LocalServices;

/** Where the gateway finds each service: started on its first request, then kept. */
export interface ServiceSource {
  /** The service, started if this is its first use. */
  get<K extends ServiceName>(name: K): Promise<LocalServices[K]>;
  /** The service if it has started already (the hot path then needs no await). */
  started<K extends ServiceName>(name: K): LocalServices[K] | undefined;
  /** The names of the services started so far. */
  names(): readonly PropertyKey[];
}

/** The services one gateway serves. */
export interface Services {
  registry: ServiceSource;
  faults: Faults;
  /** Decides calls made with keys local AWS handed out, and unsigned ones; absent: no evaluation. */
  authorizer?: Authorizer;
  /** Hands out keys of a user of another account (`PUT /_local/accounts`). */
  accounts?: (account: string, userName: string) => Promise<unknown>;
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
  'glue',
  'athena',
  'cloudformation',
] as const;

/** Each service's name as AWS writes it, for what local AWS says it serves. */
export const SERVICE_TITLES: Record<(typeof SERVICE_NAMES)[number], string> = {
  dynamodb: 'DynamoDB',
  s3: 'S3',
  firehose: 'Firehose',
  sns: 'SNS',
  lambda: 'Lambda',
  logs: 'CloudWatch Logs',
  sqs: 'SQS',
  sts: 'STS',
  iam: 'IAM',
  scheduler: 'EventBridge Scheduler',
  glue: 'Glue',
  athena: 'Athena',
  cloudformation: 'CloudFormation',
};

/** "DynamoDB, S3, ... and CloudFormation": every service local AWS serves. */
export const SERVICE_LIST = ((titles: string[]) =>
  `${titles.slice(0, -1).join(', ')} and ${titles.at(-1)!}`)(Object.values(SERVICE_TITLES));

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
  glue: 'json-1.1',
  athena: 'json-1.1',
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
  if (target.startsWith('AWSGlue.')) return 'glue';
  if (target.startsWith('AmazonAthena.')) return 'athena';
  // A form post names its service only in its Action, in the body: see queryService.
  return guessProtocol(request, url) === 'query' ? 'query' : 's3';
}

/** The access key of a SigV2 request (a presigned URL's query or the header): only S3 takes them. */
function sigV2Key(request: IncomingMessage, url: URL): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('AWS ')) return header.slice(4).split(':')[0];
  return url.searchParams.get('AWSAccessKeyId') ?? undefined;
}

/**
 * Which query-protocol service an unsigned form post is for, from its Action. The action lists live
 * in the services' modules, imported here only for such a post (a rare one), not at start.
 */
async function queryService(params: URLSearchParams): Promise<string> {
  if (isAction((await import('./sqs/index.js')).SQS_ACTIONS, params)) return 'sqs';
  if (isAction((await import('./sts/index.js')).STS_ACTIONS, params)) return 'sts';
  if (isAction((await import('./iam/index.js')).IAM_ACTIONS, params)) return 'iam';
  if (isAction((await import('./cloudformation/index.js')).CLOUDFORMATION_ACTIONS, params))
    return 'cloudformation';
  return 'sns';
}

function protocolOf(service: string, request: IncomingMessage, url: URL): Protocol {
  return service in PROTOCOLS
    ? PROTOCOLS[service as keyof typeof PROTOCOLS]
    : guessProtocol(request, url);
}

function isServiceName(name: string): name is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(name);
}

function unknownService(service: string, protocol: Protocol): AwsError {
  return new AwsError(
    protocol === 'query'
      ? 'InvalidAction'
      : protocol === 'rest-xml'
        ? 'NotImplemented'
        : 'UnknownOperationException',
    `local AWS does not implement the ${service} service (it serves ${SERVICE_NAMES.join(', ')})`,
    501,
  );
}

/** One request on its way to a service, after routing and IAM. */
interface Routed {
  request: IncomingMessage;
  response: ServerResponse;
  url: URL;
  region: string;
  body: Buffer | undefined;
  scope: { accessKeyId: string } | undefined;
}

/** Each service's handler, in its own signature. */
const HANDLERS: {
  readonly [K in ServiceName]: (service: LocalServices[K], routed: Routed) => Promise<void> | void;
} = {
  dynamodb: (dynamodb, { request, response, region }) => dynamodb.handle(request, response, region),
  s3: (s3, { request, response, url }) => s3.handle(request, response, url),
  firehose: (firehose, { request, response, region }) => firehose.handle(request, response, region),
  sns: (sns, { request, response, region, url, body }) =>
    sns.handle(request, response, region, url, body),
  sqs: (sqs, { request, response, region, url, body }) =>
    sqs.handle(request, response, region, url, body),
  sts: (sts, { request, response, url, scope, body }) =>
    sts.handle(request, response, url, scope?.accessKeyId, body),
  iam: (iam, { request, response, url, body }) => iam.handle(request, response, url, body),
  cloudformation: (cloudformation, { request, response, region, url, body }) =>
    cloudformation.handle(request, response, region, url, body),
  lambda: (lambda, { request, response, region, url }) =>
    lambda.handle(request, response, region, url),
  logs: (logs, { request, response, region }) => logs.handle(request, response, region),
  scheduler: (scheduler, { request, response, region, url }) =>
    scheduler.handle(request, response, region, url),
  glue: (glue, { request, response, region }) => glue.handle(request, response, region),
  athena: (athena, { request, response, region }) => athena.handle(request, response, region),
};

/** Hands a request to its service. */
function dispatch<K extends ServiceName>(
  name: K,
  service: LocalServices[K],
  routed: Routed,
): Promise<void> | void {
  const handler = HANDLERS[name] as (
    service: LocalServices[K],
    routed: Routed,
  ) => Promise<void> | void;
  return handler(service, routed);
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
    const { registry } = services;
    const dynamodb = registry.started('dynamodb');
    if (
      dynamodb &&
      signed?.service === 'dynamodb' &&
      REGION.test(signed.region) &&
      !services.authorizer?.evaluates(signed.accessKeyId)
    ) {
      guard(request, response, PROTOCOLS.dynamodb, () =>
        dynamodb.handle(request, response, signed.region),
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
          started: () => registry.names().map(String),
          backends: async (region: string) => ({
            dynamodb: await (await registry.get('dynamodb')).directPort(region),
            s3: (await registry.get('s3')).directPort,
          }),
          timeScale: services.timeScale ?? 1,
          url,
          ...(services.authorizer
            ? { decisions: services.authorizer.decisions.bind(services.authorizer) }
            : {}),
          ...(services.accounts ? { accounts: services.accounts } : {}),
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
        service = await queryService(new URLSearchParams(body.toString('utf8') || url.search));
      }
      // The service starts before IAM is asked: its policies (a bucket's, a topic's) are its state.
      const target = isServiceName(service) ? service : undefined;
      const started = target && (registry.started(target) ?? (await registry.get(target)));
      // STS decides its own calls (trust policies); every other call is decided before routing.
      if (services.authorizer && service !== 'sts') {
        const caller = services.authorizer.callerOf(scope?.accessKeyId ?? sigV2Key(request, url));
        if (caller) {
          body = await services.authorizer.authorize(caller, service, request, url, region, body);
        }
      }
      if (!target || !started) throw unknownService(service, protocol);
      return dispatch(target, started, { request, response, url, region, body, scope });
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
