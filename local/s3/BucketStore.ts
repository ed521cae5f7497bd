import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AwsError } from '../http.js';
import { JsonFile } from '../state.js';
import type { Recorded, Subresource } from './bucketConfig.js';
import { DataFiles } from './DataFiles.js';
import { Journal } from './Journal.js';
import { checkBucketName, utf8Order } from './names.js';
import type { ObjectVersion, VersionChange, VersioningStatus } from './versions.js';
import { applyChange } from './versions.js';

/** What is kept about a bucket. */
export interface BucketRecord {
  name: string;
  region: string;
  createdAt: number;
  /** Names the bucket's index file, so the bucket name never becomes a path. */
  id: string;
  versioning?: VersioningStatus;
  config: Partial<Record<Subresource, Recorded>>;
}

interface BucketState {
  record: BucketRecord;
  objects: Map<string, ObjectVersion[]>;
  journal: Journal;
  /** Keys in S3's order, rebuilt only when a key appears or disappears. */
  sorted?: string[];
}

const noSuchBucket = () => new AwsError('NoSuchBucket', 'The specified bucket does not exist', 404);

/**
 * S3's buckets and object index: in memory, loaded at start, persisted under `<stateDir>/s3/`
 * (`buckets.json`, one append-only index a bucket, data files named by generated ids).
 */
export class BucketStore {
  private readonly buckets = new Map<string, BucketState>();
  private readonly file: JsonFile<Record<string, BucketRecord>>;
  /** Where object bytes live. */
  readonly data: DataFiles;

  constructor(private readonly folder: string) {
    this.file = new JsonFile(join(folder, 'buckets.json'), () => ({}));
    this.data = new DataFiles(join(folder, 'data'));
  }

  private journal(record: BucketRecord): Journal {
    return new Journal(join(this.folder, 'index', `${record.id}.jsonl`));
  }

  /** Loads every bucket and its index, and removes data files nothing refers to. */
  async open(): Promise<void> {
    await mkdir(join(this.folder, 'index'), { recursive: true });
    await mkdir(join(this.folder, 'data'), { recursive: true });
    await this.data.open();
    const referenced = new Set<string>();
    for (const record of Object.values(await this.file.read())) {
      const journal = this.journal(record);
      const objects = await journal.load();
      for (const versions of objects.values())
        for (const version of versions) if (version.dataId) referenced.add(version.dataId);
      this.buckets.set(record.name, { record, objects, journal });
    }
    await this.data.sweep(referenced);
  }

  private save(): Promise<void> {
    const document: Record<string, BucketRecord> = {};
    for (const [name, state] of this.buckets) document[name] = state.record;
    return this.file.write(document);
  }

  private state(name: string): BucketState {
    const state = this.buckets.get(name);
    if (!state) throw noSuchBucket();
    return state;
  }

  /** A bucket's record; NoSuchBucket when there is none. */
  bucket(name: string): BucketRecord {
    return this.state(name).record;
  }

  /** Every bucket, by name. */
  list(): BucketRecord[] {
    return [...this.buckets.values()]
      .map((s) => s.record)
      .sort((a, b) => utf8Order(a.name, b.name));
  }

  /**
   * Creates a bucket. Re-creating one's own bucket is BucketAlreadyOwnedByYou, except in us-east-1
   * where S3 answers 200 and leaves the bucket as it is (as AWS documents).
   */
  async createBucket(name: string, region: string, now = Date.now()): Promise<BucketRecord> {
    checkBucketName(name);
    const existing = this.buckets.get(name);
    if (existing) {
      if (existing.record.region === 'us-east-1' && region === 'us-east-1') return existing.record;
      throw new AwsError(
        'BucketAlreadyOwnedByYou',
        'Your previous request to create the named bucket succeeded and you already own it.',
        409,
      );
    }
    const record: BucketRecord = { name, region, createdAt: now, id: randomUUID(), config: {} };
    this.buckets.set(name, { record, objects: new Map(), journal: this.journal(record) });
    await this.save();
    return record;
  }

  /** Deletes an empty bucket: BucketNotEmpty while any version or delete marker remains. */
  async deleteBucket(name: string): Promise<void> {
    const state = this.state(name);
    if (state.objects.size > 0) {
      throw new AwsError('BucketNotEmpty', 'The bucket you tried to delete is not empty', 409);
    }
    this.buckets.delete(name);
    await state.journal.remove();
    await this.save();
  }

  /** Changes a bucket's record (versioning, recorded configuration) and persists it. */
  async update(name: string, change: (record: BucketRecord) => void): Promise<void> {
    change(this.state(name).record);
    await this.save();
  }

  /** The versions of a key, newest first (empty when there are none). */
  versions(bucket: string, key: string): readonly ObjectVersion[] {
    return this.state(bucket).objects.get(key) ?? [];
  }

  /** The bucket's keys in S3's order (those with only delete markers too). */
  keys(bucket: string): readonly string[] {
    const state = this.state(bucket);
    state.sorted ??= [...state.objects.keys()].sort(utf8Order);
    return state.sorted;
  }

  /**
   * Records a change in the bucket's index, then applies it in memory and removes the data of
   * versions it replaced. Until the index line is written the old state stands.
   */
  async commit(bucket: string, change: VersionChange): Promise<void> {
    const state = this.state(bucket);
    await state.journal.append(change);
    const before = state.objects.get(change.key) ?? [];
    const after = applyChange(before, change);
    if (after.length > 0) state.objects.set(change.key, after);
    else state.objects.delete(change.key);
    if (before.length === 0 || after.length === 0) state.sorted = undefined;
    const gone = before.filter((v) => change.remove.includes(v.versionId)).map((v) => v.dataId);
    // Kept a moment so a GET that found the old version can still open its file.
    setTimeout(() => void this.data.remove(gone).catch(() => undefined), 1000).unref();
  }

  /** Closes every index file. */
  async close(): Promise<void> {
    await Promise.all([...this.buckets.values()].map((state) => state.journal.close()));
  }
}
