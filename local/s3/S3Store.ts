import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { AwsError } from '../http.js';
import type { Recorded, Subresource } from './bucketConfig.js';
import { checkRecorded, recordedOrDefault } from './bucketConfig.js';
import { BucketStore } from './BucketStore.js';
import type { BucketRecord } from './BucketStore.js';
import { checkKey } from './names.js';
import type { ObjectVersion, VersioningStatus } from './versions.js';
import { NULL_VERSION, planDelete, planPut } from './versions.js';

/** An S3 error that carries response headers (a delete marker's, for one). */
export class S3Error extends AwsError {
  override name = 'S3Error';
  constructor(
    code: string,
    message: string,
    status: number,
    readonly headers: Record<string, string>,
  ) {
    super(code, message, status);
  }
}

/** What a PUT of an object takes. */
export interface PutObjectInput {
  bucket: string;
  key: string;
  body: Buffer;
  /** Content-Type and the other stored headers, `x-amz-meta-*` included. */
  headers?: Record<string, string>;
  /** The base64 MD5 the client sent in `Content-MD5`, checked before anything is stored. */
  contentMd5?: string;
}

/** What a DELETE did. */
export interface DeleteResult {
  versionId?: string;
  deleteMarker: boolean;
}

/** Options for the store: time and version ids are passed in. */
export interface S3StoreOptions {
  now?: () => number;
  newVersionId?: () => string;
}

/**
 * Local S3's in-process API: the HTTP handler and other services (Firehose) both call it, so every
 * write goes through the same checks, versioning and persistence.
 */
export class S3Store {
  /** Buckets and the object index. */
  readonly buckets: BucketStore;
  /** The store's clock. */
  readonly now: () => number;
  private readonly newVersionId: () => string;

  constructor(folder: string, options: S3StoreOptions = {}) {
    this.buckets = new BucketStore(folder);
    this.now = options.now ?? Date.now;
    this.newVersionId = options.newVersionId ?? (() => randomBytes(24).toString('base64url'));
  }

  /** Loads what a previous run stored. */
  open(): Promise<void> {
    return this.buckets.open();
  }

  /** Closes the index files. */
  close(): Promise<void> {
    return this.buckets.close();
  }

  /** Creates a bucket in a region (names checked as AWS does). */
  createBucket(name: string, region: string): Promise<BucketRecord> {
    return this.buckets.createBucket(name, region, this.now());
  }

  /** Deletes a bucket with no versions or delete markers left. */
  deleteBucket(name: string): Promise<void> {
    return this.buckets.deleteBucket(name);
  }

  /** Turns versioning on, or suspends it (it cannot be turned off again, as in S3). */
  putBucketVersioning(name: string, status: VersioningStatus): Promise<void> {
    return this.buckets.update(name, (record) => {
      record.versioning = status;
    });
  }

  /** Records a configuration document (policy, ACL, ...). */
  putBucketConfig(name: string, subresource: Subresource, recorded: Recorded): Promise<void> {
    this.buckets.bucket(name);
    checkRecorded(subresource, recorded.body);
    return this.buckets.update(name, (record) => {
      record.config[subresource] = recorded;
    });
  }

  /** A recorded configuration document, or S3's default. */
  getBucketConfig(name: string, subresource: Subresource): Recorded {
    return recordedOrDefault(this.buckets.bucket(name).config[subresource], subresource);
  }

  /** Forgets a configuration document. */
  deleteBucketConfig(name: string, subresource: Subresource): Promise<void> {
    return this.buckets.update(name, (record) => {
      delete record.config[subresource];
    });
  }

  /** Stores an object: whole and checked, or not at all. */
  async putObject(input: PutObjectInput): Promise<ObjectVersion> {
    const { bucket, key } = input;
    this.buckets.bucket(bucket);
    checkKey(key);
    const { dataId, md5 } = await this.buckets.data.write(input.body);
    if (input.contentMd5 !== undefined && input.contentMd5 !== md5.toString('base64')) {
      await this.buckets.data.remove([dataId]);
      throw new AwsError(
        'BadDigest',
        'The Content-MD5 you specified did not match what we received.',
      );
    }
    return this.commitData(bucket, key, {
      dataId,
      size: input.body.length,
      etag: `"${md5.toString('hex')}"`,
      headers: input.headers ?? {},
    });
  }

  /** Adds a version whose bytes are already in a data file (a PUT, a copy, a multipart upload). */
  async commitData(
    bucket: string,
    key: string,
    data: {
      dataId: string;
      size: number;
      etag: string;
      headers: Record<string, string>;
    },
  ): Promise<ObjectVersion> {
    const versioning = this.buckets.bucket(bucket).versioning;
    const version: ObjectVersion = {
      key,
      versionId: versioning === 'Enabled' ? this.newVersionId() : NULL_VERSION,
      dataId: data.dataId,
      size: data.size,
      etag: data.etag,
      lastModified: this.now(),
      headers: data.headers,
    };
    try {
      await this.buckets.commit(
        bucket,
        planPut(this.buckets.versions(bucket, key), versioning, version),
      );
    } catch (error: unknown) {
      await this.buckets.data.remove([data.dataId]);
      throw error;
    }
    return version;
  }

  /** The bytes of an object (the latest version, or the one named), for local AWS's own readers. */
  async readObject(bucket: string, key: string, versionId?: string): Promise<Buffer> {
    const version = this.getObject(bucket, key, versionId);
    return version.dataId ? readFile(this.buckets.data.path(version.dataId)) : Buffer.alloc(0);
  }

  /**
   * The version a GET or HEAD answers: the latest, or the one named. NoSuchKey when the latest is a
   * delete marker, NoSuchVersion for an unknown id, MethodNotAllowed when the id names a marker.
   */
  getObject(bucket: string, key: string, versionId?: string): ObjectVersion {
    const versions = this.buckets.versions(bucket, key);
    if (versionId === undefined) {
      const latest = versions[0];
      if (!latest) throw new AwsError('NoSuchKey', 'The specified key does not exist.', 404);
      if (latest.deleteMarker) {
        throw new S3Error('NoSuchKey', 'The specified key does not exist.', 404, {
          'x-amz-delete-marker': 'true',
          'x-amz-version-id': latest.versionId,
        });
      }
      return latest;
    }
    const version = versions.find((v) => v.versionId === versionId);
    if (!version) {
      throw new AwsError(
        'NoSuchVersion',
        'The specified version does not exist.',
        versionId === NULL_VERSION || /^[\w.-]{1,1024}$/.test(versionId) ? 404 : 400,
      );
    }
    if (version.deleteMarker) {
      throw new S3Error(
        'MethodNotAllowed',
        'The specified method is not allowed against this resource.',
        405,
        {
          'x-amz-delete-marker': 'true',
          'x-amz-version-id': version.versionId,
          allow: 'DELETE',
        },
      );
    }
    return version;
  }

  /** Deletes a version for good, or (with no id) deletes as the bucket's versioning state says. */
  async deleteObject(bucket: string, key: string, versionId?: string): Promise<DeleteResult> {
    const record = this.buckets.bucket(bucket);
    const versions = this.buckets.versions(bucket, key);
    if (versionId !== undefined) {
      const version = versions.find((v) => v.versionId === versionId);
      if (version) await this.buckets.commit(bucket, { key, remove: [versionId] });
      return { versionId, deleteMarker: version?.deleteMarker === true };
    }
    if (versions.length === 0 && record.versioning === undefined) return { deleteMarker: false };
    const change = planDelete(versions, record.versioning, {
      key,
      versionId: this.newVersionId(),
      lastModified: this.now(),
    });
    await this.buckets.commit(bucket, change);
    return change.add
      ? { versionId: change.add.versionId, deleteMarker: true }
      : { deleteMarker: false };
  }
}
