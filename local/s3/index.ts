import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { credentialScope } from '../sigv4.js';
import { handleS3 } from './handler.js';
import { Multipart } from './Multipart.js';
import { S3Store } from './S3Store.js';
import type { S3StoreOptions } from './S3Store.js';

/** The region of requests that carry none (unsigned, or signed with SigV2): S3's global one. */
const DEFAULT_REGION = 'us-east-1';

/**
 * S3: our own store under `<stateDir>/s3/`, served over S3's REST protocol (path-style, any access
 * key, no signature checking), and called in-process by other services through {@link store}.
 */
export class S3Service {
  /** The in-process API: buckets, objects, versions. */
  readonly store: S3Store;
  private readonly uploads: Multipart;
  private direct?: Server;

  constructor(stateDir: string, options: S3StoreOptions = {}) {
    this.store = new S3Store(join(stateDir, 's3'), options);
    this.uploads = new Multipart(this.store);
  }

  /** Loads the store, and starts a loopback server of the handler alone (for benchmarks). */
  async start(): Promise<void> {
    await this.store.open();
    const direct = createServer((request, response) => {
      this.handle(request, response).catch(() => response.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      direct.once('error', reject);
      direct.listen(0, '127.0.0.1', resolve);
    });
    this.direct = direct;
  }

  /** The port of the loopback server that serves S3 with no gateway in front. */
  get directPort(): number {
    if (!this.direct) throw new Error('S3 is not started');
    return (this.direct.address() as AddressInfo).port;
  }

  /** Serves one S3 request (path-style addressing), in the region it is signed for. */
  handle(request: IncomingMessage, response: ServerResponse, url?: URL): Promise<void> {
    const parsed = url ?? new URL(request.url ?? '/', 'http://127.0.0.1');
    const region = credentialScope(request, parsed)?.region ?? DEFAULT_REGION;
    return handleS3(request, response, { store: this.store, uploads: this.uploads, region });
  }

  /** Stops the loopback server and closes the index; objects stay on disk for the next start. */
  async close(): Promise<void> {
    const direct = this.direct;
    this.direct = undefined;
    if (direct) {
      direct.closeAllConnections();
      await new Promise<void>((resolve) => direct.close(() => resolve()));
    }
    await this.store.close();
  }
}
