import type { IncomingMessage, ServerResponse } from 'node:http';
import { messageOf } from '../lib/errors.js';
import type { Faults } from './faults.js';
import { readBody, sendJson } from './http.js';

/** The admin paths under `/_local/`: health, and the fault switch. */
export async function handleAdmin(
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
  context: {
    faults: Faults;
    services: readonly string[];
    /** The backends' own ports, for benchmarks that call them directly. */
    backends: (region: string) => Promise<Record<string, number>>;
    /** How many times faster than the wall clock local AWS's waits run. */
    timeScale: number;
  },
  url: URL,
): Promise<void> {
  const body = (await readBody(request)).toString('utf8');
  const json = 'application/json';
  if (path === '/_local/health' && request.method === 'GET') {
    sendJson(
      response,
      200,
      { status: 'running', services: context.services, timeScale: context.timeScale },
      json,
    );
    return;
  }
  if (path === '/_local/backends' && request.method === 'GET') {
    sendJson(
      response,
      200,
      await context.backends(url.searchParams.get('region') ?? 'us-east-1'),
      json,
    );
    return;
  }
  if (path === '/_local/faults') {
    switch (request.method) {
      case 'GET':
        sendJson(response, 200, context.faults.get(), json);
        return;
      case 'PUT':
      case 'POST':
        try {
          context.faults.set(JSON.parse(body || '{}'));
        } catch (error: unknown) {
          sendJson(response, 400, { error: `invalid faults: ${messageOf(error)}` }, json);
          return;
        }
        sendJson(response, 200, context.faults.get(), json);
        return;
      case 'DELETE':
        context.faults.clear();
        sendJson(response, 200, context.faults.get(), json);
        return;
    }
  }
  sendJson(
    response,
    404,
    { error: `no admin path ${request.method} ${path}; try GET /_local/health` },
    json,
  );
}
