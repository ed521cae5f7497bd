import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { Agent } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AwsError, proxy, readBody, sendRestXmlError } from '../http.js';
import { decodeAwsChunked, isAwsChunked } from './awsChunked.js';
import { BucketConfigStore, RECORDED_SUBRESOURCES } from './bucketConfig.js';
import type { Subresource } from './bucketConfig.js';

/** The only access key s3rver accepts; the gateway signs every request as it. */
export const S3RVER_KEY = 'S3RVER';

const CHILD = fileURLToPath(new URL('./s3rverChild.cjs', import.meta.url));

/** S3: s3rver in a child process, with any access key, aws-chunked bodies and bucket configuration. */
export class S3Service {
  private child?: ChildProcess;
  private port?: number;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private readonly configs: BucketConfigStore;
  private readonly objectsDir: string;

  constructor(stateDir: string) {
    this.objectsDir = join(stateDir, 's3');
    this.configs = new BucketConfigStore(join(stateDir, 's3-config'));
  }

  /** Starts s3rver and waits for its port. */
  async start(): Promise<void> {
    await mkdir(this.objectsDir, { recursive: true });
    const child = fork(CHILD, [this.objectsDir], {
      execArgv: ['--openssl-legacy-provider'],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    this.child = child;
    this.port = await new Promise<number>((resolve, reject) => {
      child.once('message', (message: { port?: number; error?: string }) =>
        message.port
          ? resolve(message.port)
          : reject(new Error(`s3rver did not start: ${message.error}`)),
      );
      child.once('exit', (code) =>
        reject(new Error(`s3rver exited with status ${code} while starting`)),
      );
    });
  }

  /** s3rver's own port, for benchmarks that compare against it directly. */
  get directPort(): number {
    if (!this.port) throw new Error('S3 is not started');
    return this.port;
  }

  /** Serves one S3 request (path-style addressing). */
  async handle(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const [, bucket = '', ...keyParts] = url.pathname.split('/');
    const key = keyParts.join('/');
    try {
      const subresource = RECORDED_SUBRESOURCES.find((name) => url.searchParams.has(name));
      if (bucket && !key && subresource) {
        await this.bucketConfiguration(request, response, decodeURIComponent(bucket), subresource);
        return;
      }
      await this.forward(request, response, url);
      if (
        bucket &&
        !key &&
        request.method === 'DELETE' &&
        response.statusCode === 204 &&
        url.search === ''
      ) {
        await this.configs.forget(decodeURIComponent(bucket));
      }
    } catch (error: unknown) {
      if (!(error instanceof AwsError)) throw error;
      request.resume();
      sendRestXmlError(response, error, url.pathname);
    }
  }

  private async forward(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
  ): Promise<void> {
    const headers: Record<string, string> = {};
    const authorization = request.headers.authorization;
    if (authorization)
      headers.authorization = authorization.replace(
        /Credential=[^/]+\//,
        `Credential=${S3RVER_KEY}/`,
      );
    let path = request.url;
    const credential = url.searchParams.get('X-Amz-Credential');
    if (credential) {
      const presigned = new URL(url);
      presigned.searchParams.set(
        'X-Amz-Credential',
        credential.replace(/^[^/]+\//, `${S3RVER_KEY}/`),
      );
      path = `${presigned.pathname}${presigned.search}`;
    }
    let body: Buffer | undefined;
    if (isAwsChunked(request.headers)) {
      body = decodeAwsChunked(await readBody(request));
      headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
      const encoding = String(request.headers['content-encoding'] ?? '')
        .split(',')
        .map((e) => e.trim())
        .filter((e) => e && e !== 'aws-chunked');
      headers['content-encoding'] = encoding.join(',');
    }
    await proxy(request, response, {
      port: this.directPort,
      agent: this.agent,
      ...(path ? { path } : {}),
      headers,
      ...(body ? { body } : {}),
    });
  }

  private async bucketConfiguration(
    request: IncomingMessage,
    response: ServerResponse,
    bucket: string,
    subresource: Subresource,
  ): Promise<void> {
    const body = (await readBody(request)).toString('utf8');
    if (!existsSync(join(this.objectsDir, bucket))) {
      throw new AwsError('NoSuchBucket', 'The specified bucket does not exist', 404);
    }
    switch (request.method) {
      case 'PUT':
        await this.configs.put(
          bucket,
          subresource,
          body,
          String(request.headers['content-type'] ?? 'application/xml'),
        );
        response.writeHead(subresource === 'policy' ? 204 : 200, { 'content-length': 0 }).end();
        return;
      case 'GET': {
        const recorded = await this.configs.get(bucket, subresource);
        response
          .writeHead(200, {
            'content-type': recorded.contentType,
            'content-length': Buffer.byteLength(recorded.body),
          })
          .end(recorded.body);
        return;
      }
      case 'DELETE':
        await this.configs.delete(bucket, subresource);
        response.writeHead(204).end();
        return;
      default:
        throw new AwsError(
          'MethodNotAllowed',
          `${request.method} is not allowed on ?${subresource}`,
          405,
        );
    }
  }

  /** Stops s3rver; its files stay for the next start. */
  async close(): Promise<void> {
    this.agent.destroy();
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.disconnect();
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
  }
}
