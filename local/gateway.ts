import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { messageOf } from '../lib/errors.js';
import { handleAdmin } from './admin.js';
import type { CloudFormationService } from './cloudformation/index.js';
import type { DynamoDbService } from './dynamodb/index.js';
import type { Faults } from './faults.js';
import type { FirehoseService } from './firehose/index.js';
import { AwsError, sendJsonError, sendRestXmlError, sendXml, xmlEscape } from './http.js';
import type { S3Service } from './s3/index.js';
import { credentialScope, headerScope } from './sigv4.js';
import type { SnsService } from './sns/index.js';

/** The services one gateway serves. */
export interface Services {
  dynamodb: DynamoDbService;
  s3: S3Service;
  firehose: FirehoseService;
  sns: SnsService;
  cloudformation: CloudFormationService;
  faults: Faults;
}

/** The services a request can be routed to, by the service name in its SigV4 credential scope. */
export const SERVICE_NAMES = ['dynamodb', 's3', 'firehose', 'sns', 'cloudformation'] as const;

const DEFAULT_REGION = 'us-east-1';

/** Which service an unsigned request is for, from the shape of its protocol. */
function guessService(request: IncomingMessage, url: URL): string {
  const target = String(request.headers['x-amz-target'] ?? '');
  if (target.startsWith('DynamoDB_')) return 'dynamodb';
  // SigV2, in a presigned URL's query or the header: only S3 still accepts it.
  if (url.searchParams.has('AWSAccessKeyId') || request.headers.authorization?.startsWith('AWS '))
    return 's3';
  if (target.startsWith('Firehose_')) return 'firehose';
  if (
    url.searchParams.has('Action') ||
    String(request.headers['content-type']).startsWith('application/x-www-form-urlencoded')
  ) {
    return 'sns';
  }
  return 's3';
}

/** Answers a request for a service local AWS does not have, in the error shape of its protocol. */
function unknownService(request: IncomingMessage, response: ServerResponse, service: string): void {
  request.resume();
  const message = `local AWS does not implement the ${service} service (it serves ${SERVICE_NAMES.join(', ')})`;
  if (request.headers['x-amz-target']) {
    sendJsonError(response, new AwsError('UnknownOperationException', message, 501));
  } else if (
    String(request.headers['content-type']).startsWith('application/x-www-form-urlencoded')
  ) {
    sendXml(
      response,
      501,
      `<ErrorResponse><Error><Type>Sender</Type><Code>NotImplemented</Code><Message>${xmlEscape(message)}</Message></Error></ErrorResponse>`,
    );
  } else {
    sendRestXmlError(response, new AwsError('NotImplemented', message, 501));
  }
}

/** Creates the HTTP server that routes each request to its service. */
export function createGateway(services: Services, log: (line: string) => void): Server {
  const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    // The hot path (a signed DynamoDB or Firehose call) needs neither the URL nor an await.
    const signed = headerScope(request);
    if (signed?.service === 'dynamodb')
      return services.dynamodb.handle(request, response, signed.region);
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    // The raw path too: a key such as `b/../_local/x` normalises to an admin path but is S3's.
    if (url.pathname.startsWith('/_local/') && request.url?.startsWith('/_local/')) {
      const backends = async (region: string) => ({
        dynamodb: await services.dynamodb.directPort(region),
        s3: services.s3.directPort,
      });
      await handleAdmin(
        request,
        response,
        url.pathname,
        { faults: services.faults, services: SERVICE_NAMES, backends },
        url,
      );
      return;
    }
    const scope = signed ?? credentialScope(request, url);
    const service = scope?.service ?? guessService(request, url);
    const region = scope?.region ?? DEFAULT_REGION;
    switch (service) {
      case 'dynamodb':
        return services.dynamodb.handle(request, response, region);
      case 's3':
        return services.s3.handle(request, response, url);
      case 'firehose':
        return services.firehose.handle(request, response, region);
      case 'sns':
        return services.sns.handle(request, response, region, url);
      case 'cloudformation':
        return services.cloudformation.handle(request, response, region, url);
      default:
        unknownService(request, response, service);
    }
  };

  return createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      log(`local AWS: ${request.method} ${request.url} failed: ${messageOf(error)}`);
      if (!response.headersSent) {
        sendJsonError(
          response,
          new AwsError('InternalFailure', `local AWS failed: ${messageOf(error)}`, 500, false),
        );
      } else {
        response.destroy();
      }
    });
  });
}
