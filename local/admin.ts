import type { IncomingMessage, ServerResponse } from 'node:http';
import { ZodError } from 'zod';
import type { Faults } from './faults.js';
import { AwsError, readBody, sendJson } from './http.js';

/** Largest admin request body: fault settings are a few hundred bytes. */
const MAX_ADMIN_BODY_BYTES = 64 * 1024;

const REGION = /^[a-z0-9]+(-[a-z0-9]+)*$/;

const JSON_TYPE = 'application/json';

/** What the admin paths can see and change. */
export interface AdminContext {
  faults: Faults;
  services: readonly string[];
  /** The backends' own ports, for benchmarks that call them directly. */
  backends: (region: string) => Promise<Record<string, number>>;
  /** How many times faster than the wall clock local AWS's waits run. */
  timeScale: number;
  url: URL;
}

/** Says which fields of a fault setting are wrong, one `field: problem` per issue. */
function describeIssues(error: ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(body)'}: ${issue.message}`)
    .join('; ');
}

function parseFaults(body: string): unknown {
  try {
    return JSON.parse(body || '{}');
  } catch {
    throw new AwsError(
      'InvalidFaults',
      'invalid faults: the body is not JSON; send an object such as {"firehose":{"failRate":0.5}}',
    );
  }
}

/** The admin paths under `/_local/`: health, backends, and the fault switch. */
export async function handleAdmin(
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
  context: AdminContext,
): Promise<void> {
  const body = (await readBody(request, MAX_ADMIN_BODY_BYTES)).toString('utf8');
  if (path === '/_local/health' && request.method === 'GET') {
    sendJson(
      response,
      200,
      { status: 'running', services: context.services, timeScale: context.timeScale },
      JSON_TYPE,
    );
    return;
  }
  if (path === '/_local/backends' && request.method === 'GET') {
    const region = context.url.searchParams.get('region') ?? 'us-east-1';
    if (!REGION.test(region)) {
      throw new AwsError(
        'InvalidRegion',
        `region must be a name such as eu-west-1, not '${region}'`,
      );
    }
    sendJson(response, 200, await context.backends(region), JSON_TYPE);
    return;
  }
  if (path === '/_local/faults') {
    switch (request.method) {
      case 'GET':
        sendJson(response, 200, context.faults.get(), JSON_TYPE);
        return;
      case 'PUT':
      case 'POST':
        try {
          context.faults.set(parseFaults(body));
        } catch (error: unknown) {
          if (!(error instanceof ZodError)) throw error;
          throw new AwsError('InvalidFaults', `invalid faults: ${describeIssues(error)}`);
        }
        sendJson(response, 200, context.faults.get(), JSON_TYPE);
        return;
      case 'DELETE':
        context.faults.clear();
        sendJson(response, 200, context.faults.get(), JSON_TYPE);
        return;
      default:
        throw new AwsError(
          'MethodNotAllowed',
          `${request.method} is not allowed on /_local/faults; use GET, PUT or DELETE`,
          405,
        );
    }
  }
  throw new AwsError(
    'NotFound',
    `no admin path ${request.method} ${path}; try GET /_local/health, GET /_local/backends or GET, PUT, DELETE /_local/faults`,
    404,
  );
}
