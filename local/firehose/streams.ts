import { randomBytes } from 'node:crypto';
import {
  appendFile,
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { messageOf } from '../../lib/errors.js';
import { Clock } from '../clock.js';
import { objectBody, objectKey } from './delivery.js';
import type { S3Destination } from './delivery.js';

/** A delivery stream as stored on disk. */
/** Where a buffer delivers: local S3's in-process API, so deliveries take S3's own code path. */
export interface ObjectWriter {
  /** `stream`: the delivery stream writing, whose role the write is made with. */
  putObject(input: {
    bucket: string;
    key: string;
    body: Buffer;
    stream?: StreamRecord;
  }): Promise<unknown>;
}

export interface StreamRecord {
  name: string;
  arn: string;
  region: string;
  created: number;
  version: number;
  roleArn: string;
  bucketArn: string;
  destination: S3Destination;
  tags: { Key: string; Value?: string }[];
  /** The destination description as given, returned by DescribeDeliveryStream. */
  description: Record<string, unknown>;
}

/** How long a failed delivery waits before it is tried again, at most. */
const MAX_RETRY_MS = 60_000;

/**
 * One delivery stream's buffer: records are kept in memory and journalled to disk, then written to S3
 * as one object when the buffer interval or size is reached, on delete and on shutdown. A delivery
 * that fails stays on disk as a `.pending` file and is retried; records are never dropped.
 */
export class StreamBuffer {
  private chunks: Buffer[] = [];
  private bytes = 0;
  private firstAt?: Date;
  private timer?: NodeJS.Timeout;
  private retryTimer?: NodeJS.Timeout;
  private retryMs = 1000;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private stream: StreamRecord,
    private readonly folder: string,
    private readonly s3: ObjectWriter,
    private readonly log: (line: string) => void,
    private readonly clock: Clock = new Clock(),
  ) {}

  private get journal(): string {
    return join(this.folder, `${this.stream.name}.buffer`);
  }

  /** Recovers what a previous run left: a journal to buffer again, pending objects to deliver. */
  async recover(): Promise<void> {
    await mkdir(this.folder, { recursive: true });
    try {
      const [content, info] = await Promise.all([readFile(this.journal), stat(this.journal)]);
      if (content.length > 0) {
        this.chunks = [content];
        this.bytes = content.length;
        this.firstAt = info.mtime;
        this.schedule();
      }
    } catch (error: unknown) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if ((await this.pendingFiles()).length > 0) this.retrySoon(0);
  }

  /** Uses a new configuration (UpdateDestination) for the next objects. */
  update(stream: StreamRecord): void {
    this.stream = stream;
  }

  /** Adds records (already validated) to the buffer; resolves once they are journalled on disk. */
  add(records: Buffer[]): Promise<void> {
    const data = Buffer.concat(records);
    const arrived = new Date();
    return this.enqueue(async () => {
      await appendFile(this.journal, data);
      this.chunks.push(data);
      this.bytes += data.length;
      this.firstAt ??= arrived;
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.closed) return;
    const { intervalSeconds, sizeBytes } = this.stream.destination;
    if (this.bytes >= sizeBytes || intervalSeconds === 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
      void this.flush();
    } else if (!this.timer && this.firstAt) {
      // The buffer's age is real time; the interval is in the clock's (scaled) time.
      const age = (Date.now() - this.firstAt.getTime()) * this.clock.scale;
      this.timer = this.clock.setTimeout(() => void this.flush(), intervalSeconds * 1000 - age);
    }
  }

  /** Writes what is buffered to S3 now. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    return this.enqueue(async () => {
      if (this.bytes === 0 || !this.firstAt) return;
      const at = this.firstAt;
      const content = Buffer.concat(this.chunks);
      this.chunks = [];
      this.bytes = 0;
      this.firstAt = undefined;
      const key = objectKey({
        prefix: this.stream.destination.prefix,
        stream: this.stream.name,
        version: this.stream.version,
        at,
        compression: this.stream.destination.compression,
      });
      const pending = join(
        this.folder,
        `${this.stream.name}.${at.getTime()}-${randomBytes(4).toString('hex')}.pending`,
      );
      await rename(this.journal, pending);
      await this.deliver(pending, key, content);
    });
  }

  private async deliver(pending: string, key: string, content: Buffer): Promise<boolean> {
    const { bucket, compression } = this.stream.destination;
    try {
      await this.s3.putObject({
        bucket,
        key,
        body: objectBody(content, compression),
        stream: this.stream,
      });
      await rm(pending, { force: true });
      await rm(`${pending}.key`, { force: true });
      this.log(
        `firehose ${this.stream.name}: delivered ${content.length} bytes to s3://${bucket}/${key}`,
      );
      this.retryMs = 1000;
      return true;
    } catch (error: unknown) {
      // Keep the key so the retry writes the same object, as Firehose's own retries do.
      await writeFile(`${pending}.key`, key);
      this.log(
        `firehose ${this.stream.name}: delivery to s3://${bucket} failed (${messageOf(error)}); ` +
          `${content.length} bytes kept and retried`,
      );
      this.retrySoon(this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
      return false;
    }
  }

  private async pendingFiles(): Promise<string[]> {
    const prefix = `${this.stream.name}.`;
    return (await readdir(this.folder))
      .filter((file) => file.startsWith(prefix) && file.endsWith('.pending'))
      .sort()
      .map((file) => join(this.folder, file));
  }

  private retrySoon(delay: number): void {
    if (this.closed || this.retryTimer) return;
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = undefined;
      void this.retryPending();
    }, delay);
  }

  /** Tries every pending delivery again, oldest first. */
  retryPending(): Promise<void> {
    return this.enqueue(async () => {
      for (const pending of await this.pendingFiles()) {
        const content = await readFile(pending);
        const at = new Date(Number(pending.split('.').at(-2)?.split('-')[0]));
        const key =
          (await readFile(`${pending}.key`, 'utf8').catch(() => '')) ||
          objectKey({
            prefix: this.stream.destination.prefix,
            stream: this.stream.name,
            version: this.stream.version,
            at,
            compression: this.stream.destination.compression,
          });
        if (!(await this.deliver(pending, key, content))) return;
      }
    });
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const next = this.queue.then(work);
    this.queue = next.catch((error: unknown) =>
      this.log(`firehose ${this.stream.name}: ${messageOf(error)}`),
    );
    return next;
  }

  /** Flushes and stops timers; what cannot be delivered stays on disk for the next start. */
  async close(): Promise<void> {
    await this.flush();
    await this.retryPending().catch(() => undefined);
    this.closed = true;
    clearTimeout(this.timer);
    clearTimeout(this.retryTimer);
  }
}
