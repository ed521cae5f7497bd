import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import type { AlertView, TickerView } from './view.js';

/** The clients the watcher reads with. */
export interface WatchClients {
  dynamodb: DynamoDBClient;
  s3: S3Client;
}

/** Where the pipeline keeps what the view shows. */
export interface WatchTargets {
  table: string;
  bucket: string;
  outbox: string;
}

/** What the data bucket holds: objects, records, and the newest version of each ticker. */
export interface BucketView {
  objects: number;
  records: number;
  lastKey?: string;
  /** The highest version of each ticker found in the bucket's records. */
  delivered: ReadonlyMap<string, number>;
}

// One delivered line, as functions/streaming/delivery.ts writes it; other fields are ignored.
const deliveredLine = z.looseObject({ TickerName: z.string(), Version: z.number() });

/** A ticker row of the table, as the streaming function keeps it. */
function readTicker(
  item: Record<string, AttributeValue>,
): { name: string; price: number; version: number } | undefined {
  const name = item.TickerName?.S;
  const price = Number(item.Price?.N);
  const version = Number(item.Version?.N ?? 0);
  if (name === undefined || !Number.isFinite(price) || !Number.isFinite(version)) return undefined;
  return { name, price, version };
}

/**
 * Follows the pipeline from outside, as its owner would with the AWS CLI: the table's tickers,
 * the data bucket's objects and records, and the alert emails in the outbox. Objects never
 * change once written, so each is read once.
 */
export class PipelineWatcher {
  private readonly history = new Map<string, { version: number; prices: number[] }>();
  private readonly objectLines = new Map<string, number>();
  private readonly delivered = new Map<string, number>();

  constructor(
    private readonly clients: WatchClients,
    private readonly targets: WatchTargets,
    /** Ticker names in the config's order. */
    private readonly order: readonly string[],
  ) {}

  /** The configured tickers now, each with the prices seen since the watch began. */
  async tickers(): Promise<TickerView[]> {
    const rows = new Map<string, { name: string; price: number; version: number }>();
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.clients.dynamodb.send(
        new ScanCommand({
          TableName: this.targets.table,
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const row = readTicker(item);
        if (row) rows.set(row.name, row);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    const views: TickerView[] = [];
    for (const name of this.order) {
      const row = rows.get(name);
      if (!row) continue;
      const seen = this.history.get(name) ?? { version: -1, prices: [] };
      if (row.version !== seen.version) {
        seen.prices.push(row.price);
        // Enough for any sparkline; older prices are never shown.
        if (seen.prices.length > 64) seen.prices.shift();
        seen.version = row.version;
      }
      this.history.set(name, seen);
      views.push({ ...row, history: [...seen.prices] });
    }
    return views;
  }

  /** The data bucket's objects, records (one JSON line each) and newest version per ticker. */
  async bucket(): Promise<BucketView> {
    let token: string | undefined;
    let lastKey: string | undefined;
    let lastModified = 0;
    let objects = 0;
    do {
      const page = await this.clients.s3.send(
        new ListObjectsV2Command({ Bucket: this.targets.bucket, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) {
        if (!object.Key) continue;
        objects += 1;
        const modified = object.LastModified?.getTime() ?? 0;
        // Firehose's keys sort by time too, which breaks a tie within one second.
        if (
          modified > lastModified ||
          (modified === lastModified && object.Key > (lastKey ?? ''))
        ) {
          lastModified = modified;
          lastKey = object.Key;
        }
        if (!this.objectLines.has(object.Key)) await this.readObject(object.Key);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    let records = 0;
    for (const count of this.objectLines.values()) records += count;
    return {
      objects,
      records,
      ...(lastKey === undefined ? {} : { lastKey }),
      delivered: new Map(this.delivered),
    };
  }

  private async readObject(key: string): Promise<void> {
    const object = await this.clients.s3.send(
      new GetObjectCommand({ Bucket: this.targets.bucket, Key: key }),
    );
    const text = (await object.Body?.transformToString('utf8')) ?? '';
    let lines = 0;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      lines += 1;
      let data: unknown;
      try {
        data = JSON.parse(line);
      } catch {
        continue; // Counted as a record; it names no ticker.
      }
      const parsed = deliveredLine.safeParse(data);
      if (!parsed.success) continue;
      const { TickerName: name, Version: version } = parsed.data;
      this.delivered.set(name, Math.max(version, this.delivered.get(name) ?? 0));
    }
    this.objectLines.set(key, lines);
  }

  /** The alert emails in the outbox, oldest first, by their subject. */
  async alerts(): Promise<AlertView[]> {
    let files: string[];
    try {
      files = (await readdir(this.targets.outbox)).filter((file) => file.endsWith('.eml')).sort();
    } catch (error: unknown) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return Promise.all(
      files.map(async (file) => {
        const text = await readFile(join(this.targets.outbox, file), 'utf8');
        const subject = /^Subject: (.*)$/m.exec(text)?.[1]?.trim() ?? '(no subject)';
        return { file, subject };
      }),
    );
  }
}
