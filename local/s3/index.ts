import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import S3rver from 's3rver';
import { AwsError, readBody, sendRestXmlError, sendXml } from '../http.js';
import { decodeAwsChunked, isAwsChunked } from './awsChunked.js';
import { BucketConfigStore, RECORDED_SUBRESOURCES } from './bucketConfig.js';
import type { Subresource } from './bucketConfig.js';
import { listObjectsV2 } from './listObjectsV2.js';
import type { ListingStore } from './listObjectsV2.js';

/** The only access key s3rver accepts; the gateway presents every request as signed with it. */
export const S3RVER_KEY = 'S3RVER';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** Waits until a response is sent or its connection is gone. */
function finished(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    response.once('finish', resolve);
    response.once('close', resolve);
  });
}

/**
 * S3: s3rver in this process, with any access key, `aws-chunked` uploads, its own ListObjectsV2, and
 * bucket configuration recorded. Requests are handed to s3rver's handler directly, with no second
 * HTTP hop.
 */
export class S3Service {
  private handler?: Handler;
  private store?: ListingStore;
  private direct?: Server;
  private readonly configs: BucketConfigStore;
  private readonly objectsDir: string;

  constructor(stateDir: string) {
    this.objectsDir = join(stateDir, 's3');
    this.configs = new BucketConfigStore(join(stateDir, 's3-config'));
  }

  /** Creates s3rver, and a loopback server for local AWS's own writes (Firehose) and benchmarks. */
  async start(): Promise<void> {
    await mkdir(this.objectsDir, { recursive: true });
    const s3rver = new S3rver({
      directory: this.objectsDir,
      silent: true,
      allowMismatchedSignatures: true,
      vhostBuckets: false,
      resetOnClose: false,
    });
    serialiseDeletes(s3rver.store);
    this.store = s3rver.store;
    this.handler = s3rver.callback();
    const handler = this.handler;
    const direct = createServer((request, response) => handler(request, response));
    await new Promise<void>((resolve, reject) => {
      direct.once('error', reject);
      direct.listen(0, '127.0.0.1', resolve);
    });
    this.direct = direct;
  }

  /** The port of the loopback server that serves s3rver with no gateway in front. */
  get directPort(): number {
    if (!this.direct) throw new Error('S3 is not started');
    return (this.direct.address() as AddressInfo).port;
  }

  /** Serves one S3 request (path-style addressing). */
  async handle(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const [, rawBucket = '', ...keyParts] = url.pathname.split('/');
    const bucket = decodeURIComponent(rawBucket);
    const key = keyParts.join('/');
    try {
      const subresource = RECORDED_SUBRESOURCES.find((name) => url.searchParams.has(name));
      if (bucket && !key && subresource) {
        await this.bucketConfiguration(request, response, bucket, subresource);
        return;
      }
      if (bucket && !key && request.method === 'GET' && url.searchParams.get('list-type') === '2') {
        request.resume();
        sendXml(response, 200, await listObjectsV2(this.store!, bucket, url.searchParams));
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
        await this.configs.forget(bucket);
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
    const headers = { ...request.headers };
    if (headers.authorization) {
      headers.authorization = headers.authorization.replace(
        /Credential=[^/]+\//,
        `Credential=${S3RVER_KEY}/`,
      );
    }
    let path = request.url ?? '/';
    const credential = url.searchParams.get('X-Amz-Credential');
    if (credential) {
      const presigned = new URL(url);
      presigned.searchParams.set(
        'X-Amz-Credential',
        credential.replace(/^[^/]+\//, `${S3RVER_KEY}/`),
      );
      path = `${presigned.pathname}${presigned.search}`;
    }
    let forwarded = request;
    if (isAwsChunked(request.headers)) {
      // s3rver stores bodies as they come: give it the payload, not the chunk framing.
      const body = decodeAwsChunked(await readBody(request));
      headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
      headers['content-length'] = String(body.length);
      const encoding = String(headers['content-encoding'] ?? '')
        .split(',')
        .map((e) => e.trim())
        .filter((e) => e && e !== 'aws-chunked');
      if (encoding.length > 0) headers['content-encoding'] = encoding.join(',');
      else delete headers['content-encoding'];
      delete headers['x-amz-decoded-content-length'];
      delete headers['transfer-encoding'];
      // A readable stream of the payload that carries the request's other fields.
      forwarded = Object.assign(Readable.from([body]), {
        socket: request.socket,
        connection: request.socket,
        httpVersion: request.httpVersion,
        httpVersionMajor: request.httpVersionMajor,
        httpVersionMinor: request.httpVersionMinor,
        complete: true,
      }) as unknown as IncomingMessage;
    }
    forwarded.method = request.method;
    forwarded.url = path;
    forwarded.headers = headers;
    const done = finished(response);
    this.handler!(forwarded, response);
    await done;
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

  /** Stops the loopback server; objects stay on disk for the next start. */
  async close(): Promise<void> {
    const direct = this.direct;
    if (!direct) return;
    this.direct = undefined;
    direct.closeAllConnections();
    await new Promise<void>((resolve) => direct.close(() => resolve()));
  }
}

/**
 * s3rver deletes objects concurrently and then prunes empty folders, so two deletes in one folder
 * (DeleteObjects, or parallel DeleteObject calls) race on the same rmdir and fail with
 * InternalError. One delete at a time, and a folder already gone is not an error.
 */
function serialiseDeletes(store: S3rver['store']): void {
  const deleteObject = store.deleteObject.bind(store);
  let deleting: Promise<unknown> = Promise.resolve();
  store.deleteObject = (bucket: string, key: string) => {
    const run = deleting.then(() =>
      deleteObject(bucket, key).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      }),
    );
    deleting = run.catch(() => undefined);
    return run;
  };
}
