import { mkdir } from 'node:fs/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { LOCAL_ACCOUNT_ID } from '../account.js';
import { AwsError, collectBody, sendJsonError } from '../http.js';
import { createDynalite, DYNALITE_MAX_BODY_BYTES, ReplayedRequest } from './dynalite.js';

/** Operations dynalite does not implement, answered with AWS's error shape instead of a bare 400. */
const UNSUPPORTED = new Set([
  'TransactWriteItems',
  'TransactGetItems',
  'ExecuteTransaction',
  'ExecuteStatement',
  'BatchExecuteStatement',
]);

const JSON_1_0 = 'application/x-amz-json-1.0';

interface Backend {
  server: Server;
  port: number;
}

/** DynamoDB: one dynalite store per region, each persisted under `<stateDir>/dynamodb/<region>`. */
export class DynamoDbService {
  private readonly backends = new Map<string, Promise<Backend>>();
  private readonly ready = new Map<string, Backend>();

  constructor(private readonly stateDir: string) {}

  /** Serves one DynamoDB request for a region. */
  handle(request: IncomingMessage, response: ServerResponse, region: string): Promise<void> | void {
    const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    if (UNSUPPORTED.has(operation)) {
      request.resume();
      sendJsonError(
        response,
        new AwsError(
          'com.amazon.coral.service#UnknownOperationException',
          `${operation} is not supported by local AWS: its DynamoDB (dynalite) has no transactions or PartiQL`,
        ),
        JSON_1_0,
      );
      return;
    }
    // dynalite is an HTTP request handler in this process: hand it the request itself rather than
    // proxying over a second HTTP connection, so the gateway adds next to nothing. The body is read
    // here first, so that a client that goes away mid-body never reaches dynalite (which throws),
    // and replayed in the tick it ends, as dynalite would have seen it.
    return new Promise((resolve, reject) =>
      collectBody(request, DYNALITE_MAX_BODY_BYTES, (error, body) => {
        if (error) return reject(error);
        const replay = (backend: Backend) => {
          new ReplayedRequest(request).replay(backend.server, body, response);
          resolve();
        };
        const ready = this.ready.get(region);
        try {
          if (ready) replay(ready);
          else this.backend(region).then(replay).catch(reject);
        } catch (thrown: unknown) {
          reject(thrown);
        }
      }),
    );
  }

  /** The port of a region's dynalite, for benchmarks that compare against it directly. */
  async directPort(region: string): Promise<number> {
    return (await this.backend(region)).port;
  }

  private backend(region: string): Promise<Backend> {
    let backend = this.backends.get(region);
    if (!backend) {
      backend = this.start(region);
      this.backends.set(region, backend);
      // A region whose store failed to open is tried afresh on the next request.
      backend.catch(() => this.backends.delete(region));
    }
    return backend;
  }

  private async start(region: string): Promise<Backend> {
    const path = join(this.stateDir, 'dynamodb', region);
    await mkdir(path, { recursive: true });
    // dynalite reads the region and account for its ARNs from the environment when it is created.
    const saved = { region: process.env.AWS_REGION, account: process.env.AWS_ACCOUNT_ID };
    process.env.AWS_REGION = region;
    process.env.AWS_ACCOUNT_ID = LOCAL_ACCOUNT_ID;
    let created: ReturnType<typeof createDynalite>;
    try {
      created = createDynalite({ path, createTableMs: 50, deleteTableMs: 50, updateTableMs: 50 });
    } finally {
      restore('AWS_REGION', saved.region);
      restore('AWS_ACCOUNT_ID', saved.account);
    }
    const { server, opened } = created;
    await opened;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const backend = { server, port: (server.address() as AddressInfo).port };
    this.ready.set(region, backend);
    return backend;
  }

  /** Closes every region's store. */
  async close(): Promise<void> {
    const backends = await Promise.allSettled(this.backends.values());
    await Promise.all(
      backends.map((result) =>
        result.status === 'fulfilled'
          ? new Promise<void>((resolve) => result.value.server.close(() => resolve()))
          : undefined,
      ),
    );
    this.backends.clear();
    this.ready.clear();
  }
}

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
