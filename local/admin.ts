import type { IncomingMessage, ServerResponse } from 'node:http';
import { LOCAL_ACCOUNT_ID } from './account.js';
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
  /** The services started so far: each starts on its first use, never for the admin paths. */
  started: () => readonly string[];
  /** The backends' own ports, for benchmarks that call them directly. */
  backends: (region: string) => Promise<Record<string, number>>;
  /** How many times faster than the wall clock local AWS's waits run. */
  timeScale: number;
  url: URL;
  /** Recent IAM refusals (`GET /_local/iam/decisions`). */
  decisions?: () => unknown[];
  /** Hands out keys of a user of another account (`PUT /_local/accounts`). */
  accounts?: (account: string, userName: string) => Promise<unknown>;
}

const USER_NAME = /^[\w+=,.@-]{1,64}$/;

/** Reads `{"accountId": "111122223333", "userName": "reader"}`, naming the field that is wrong. */
function parseAccount(body: string): { accountId: string; userName: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body || '{}');
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new AwsError(
      'InvalidAccount',
      'the body must be a JSON object such as {"accountId":"111122223333","userName":"reader"}',
    );
  const { accountId, userName = 'user' } = parsed as Record<string, unknown>;
  if (typeof accountId !== 'string' || !/^\d{12}$/.test(accountId))
    throw new AwsError(
      'InvalidAccount',
      `accountId: must be twelve digits such as "111122223333", not ${JSON.stringify(accountId)}`,
    );
  if (accountId === LOCAL_ACCOUNT_ID)
    throw new AwsError(
      'InvalidAccount',
      `accountId: ${LOCAL_ACCOUNT_ID} is local AWS's own account, whose administrator any key already is; name another account`,
    );
  if (typeof userName !== 'string' || !USER_NAME.test(userName))
    throw new AwsError(
      'InvalidAccount',
      `userName: must be 1 to 64 letters, digits or +=,.@_-, not ${JSON.stringify(userName)}`,
    );
  return { accountId, userName };
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
      {
        status: 'running',
        services: context.services,
        started: context.started(),
        timeScale: context.timeScale,
      },
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
  if (path === '/_local/iam/decisions' && request.method === 'GET' && context.decisions) {
    sendJson(response, 200, { refusals: context.decisions() }, JSON_TYPE);
    return;
  }
  if (
    path === '/_local/accounts' &&
    (request.method === 'PUT' || request.method === 'POST') &&
    context.accounts
  ) {
    const { accountId, userName } = parseAccount(body);
    sendJson(response, 200, await context.accounts(accountId, userName), JSON_TYPE);
    return;
  }
  if (path === '/_local/faults') {
    switch (request.method) {
      case 'GET':
        sendJson(response, 200, context.faults.get(), JSON_TYPE);
        return;
      case 'PUT':
      case 'POST':
        {
          // zod loads with the first fault set, not at every start.
          const { InvalidFaultsError, parseFaultSettings } = await import('./faultSchema.js');
          try {
            context.faults.set(parseFaultSettings(parseFaults(body)));
          } catch (error: unknown) {
            if (!(error instanceof InvalidFaultsError)) throw error;
            throw new AwsError('InvalidFaults', `invalid faults: ${error.message}`);
          }
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
    `no admin path ${request.method} ${path}; try GET /_local/health, GET /_local/backends, GET, PUT, DELETE /_local/faults, PUT /_local/accounts or GET /_local/iam/decisions`,
    404,
  );
}
