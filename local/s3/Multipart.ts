import { createHash, randomBytes } from 'node:crypto';
import { AwsError } from '../http.js';
import { checkKey } from './names.js';
import type { S3Store } from './S3Store.js';
import type { ObjectVersion } from './versions.js';

/** S3's smallest part, except the last. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;

/** One uploaded part. */
export interface Part {
  partNumber: number;
  dataId: string;
  size: number;
  etag: string;
  md5: Buffer;
  lastModified: number;
}

/** An upload in progress. */
export interface Upload {
  uploadId: string;
  bucket: string;
  key: string;
  headers: Record<string, string>;
  initiated: number;
  parts: Map<number, Part>;
}

const noSuchUpload = () =>
  new AwsError(
    'NoSuchUpload',
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    404,
  );

/**
 * Multipart uploads. Parts are data files like any object's; uploads in progress are kept in
 * memory (a restart forgets them and removes their parts).
 */
export class Multipart {
  private readonly uploads = new Map<string, Upload>();

  constructor(private readonly store: S3Store) {}

  /** Starts an upload. */
  create(bucket: string, key: string, headers: Record<string, string>): Upload {
    this.store.buckets.bucket(bucket);
    checkKey(key);
    const upload: Upload = {
      uploadId: randomBytes(32).toString('base64url'),
      bucket,
      key,
      headers,
      initiated: this.store.now(),
      parts: new Map(),
    };
    this.uploads.set(upload.uploadId, upload);
    return upload;
  }

  /** The upload with this id for this bucket and key; NoSuchUpload otherwise. */
  get(bucket: string, key: string, uploadId: string): Upload {
    const upload = this.uploads.get(uploadId);
    if (!upload || upload.bucket !== bucket || upload.key !== key) throw noSuchUpload();
    return upload;
  }

  /** Uploads in progress in a bucket, by key. */
  list(bucket: string): Upload[] {
    return [...this.uploads.values()].filter((u) => u.bucket === bucket);
  }

  /** Stores one part (1 to 10,000), replacing one of the same number. */
  async uploadPart(upload: Upload, partNumber: number, body: Buffer): Promise<Part> {
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000) {
      throw new AwsError(
        'InvalidArgument',
        'Part number must be an integer between 1 and 10000, inclusive',
      );
    }
    const { dataId, md5 } = await this.store.buckets.data.write(body);
    const part: Part = {
      partNumber,
      dataId,
      size: body.length,
      etag: `"${md5.toString('hex')}"`,
      md5,
      lastModified: this.store.now(),
    };
    const replaced = upload.parts.get(partNumber);
    upload.parts.set(partNumber, part);
    if (replaced) await this.store.buckets.data.remove([replaced.dataId]);
    return part;
  }

  /**
   * Joins the listed parts into the object. Its ETag is the MD5 of the parts' MD5s and "-N", as
   * S3's; parts must be listed in order, exist with those ETags, and all but the last be 5 MiB.
   */
  async complete(
    upload: Upload,
    listed: readonly { partNumber: number; etag: string }[],
  ): Promise<ObjectVersion> {
    if (listed.length === 0) {
      throw new AwsError('MalformedXML', 'You must specify at least one part');
    }
    const parts: Part[] = [];
    for (const [index, { partNumber, etag }] of listed.entries()) {
      if (index > 0 && partNumber <= listed[index - 1]!.partNumber) {
        throw new AwsError(
          'InvalidPartOrder',
          'The list of parts was not in ascending order. Parts must be ordered by part number.',
        );
      }
      const part = upload.parts.get(partNumber);
      if (!part || part.etag.replaceAll('"', '') !== etag.replaceAll('"', '')) {
        throw new AwsError(
          'InvalidPart',
          "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
        );
      }
      parts.push(part);
    }
    if (parts.slice(0, -1).some((part) => part.size < MIN_PART_BYTES)) {
      throw new AwsError(
        'EntityTooSmall',
        'Your proposed upload is smaller than the minimum allowed object size.',
      );
    }
    const { dataId } = await this.store.buckets.data.write(parts.map((p) => p.dataId));
    const hash = createHash('md5');
    for (const part of parts) hash.update(part.md5);
    const version = await this.store.commitData(upload.bucket, upload.key, {
      dataId,
      size: parts.reduce((sum, part) => sum + part.size, 0),
      etag: `"${hash.digest('hex')}-${parts.length}"`,
      headers: upload.headers,
    });
    this.uploads.delete(upload.uploadId);
    await this.store.buckets.data.remove([...upload.parts.values()].map((p) => p.dataId));
    return version;
  }

  /** Abandons an upload and its parts. */
  async abort(upload: Upload): Promise<void> {
    this.uploads.delete(upload.uploadId);
    await this.store.buckets.data.remove([...upload.parts.values()].map((p) => p.dataId));
  }
}
