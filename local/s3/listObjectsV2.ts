import { LOCAL_ACCOUNT_ID } from '../account.js';
import { AwsError, xmlEscape } from '../http.js';

/** What s3rver's filesystem store answers to `listObjects`. */
export interface StoreListing {
  objects: {
    key: string;
    size: number;
    lastModifiedDate: Date;
    metadata: Record<string, string>;
  }[];
  commonPrefixes: string[];
  isTruncated: boolean;
}

/** The part of s3rver's store that listing needs. */
export interface ListingStore {
  getBucket(bucket: string): Promise<unknown>;
  listObjects(
    bucket: string,
    options: { prefix?: string; delimiter?: string; startAfter?: string; maxKeys: number },
  ): Promise<StoreListing>;
}

/** A continuation token: the bucket and the last key returned, so the next page starts after it. */
export function encodeContinuationToken(bucket: string, key: string): string {
  return Buffer.from(JSON.stringify([bucket, key])).toString('base64url');
}

function decodeContinuationToken(bucket: string, token: string): string {
  try {
    const [tokenBucket, key] = JSON.parse(
      Buffer.from(token, 'base64url').toString('utf8'),
    ) as unknown[];
    if (tokenBucket === bucket && typeof key === 'string') return key;
  } catch {
    // Reported below, as S3 does.
  }
  throw new AwsError('InvalidArgument', 'The continuation token provided is incorrect');
}

const element = (name: string, value: string | number | undefined) =>
  value === undefined || value === '' ? '' : `<${name}>${xmlEscape(String(value))}</${name}>`;

/**
 * ListObjectsV2, answered from s3rver's store. s3rver's own version encrypts continuation tokens
 * with DES, which Node 17+ only has behind --openssl-legacy-provider; this one needs no cipher.
 */
export async function listObjectsV2(
  store: ListingStore,
  bucket: string,
  query: URLSearchParams,
): Promise<string> {
  if (!(await store.getBucket(bucket)))
    throw new AwsError('NoSuchBucket', 'The specified bucket does not exist', 404);
  const maxKeysText = query.get('max-keys') ?? '1000';
  const maxKeys = Number(maxKeysText);
  if (!/^\d+$/.test(maxKeysText) || maxKeys > 2147483647) {
    throw new AwsError(
      'InvalidArgument',
      'Provided max-keys not an integer or within integer range',
    );
  }
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') ?? '';
  const token = query.get('continuation-token');
  const startAfter = token
    ? decodeContinuationToken(bucket, token)
    : (query.get('start-after') ?? '');
  const listing =
    maxKeys === 0
      ? { objects: [], commonPrefixes: [], isTruncated: false }
      : await store.listObjects(bucket, {
          prefix: prefix || undefined,
          delimiter: delimiter || undefined,
          startAfter: startAfter || undefined,
          maxKeys: Math.min(1000, maxKeys),
        });
  const last = listing.objects.at(-1)?.key;
  const owner =
    query.get('fetch-owner') === 'true'
      ? `<Owner><ID>${LOCAL_ACCOUNT_ID}</ID><DisplayName>local</DisplayName></Owner>`
      : '';
  const contents = listing.objects
    .map(
      (object) =>
        `<Contents>${element('Key', object.key)}${element('LastModified', object.lastModifiedDate.toISOString())}` +
        `${element('ETag', object.metadata.etag)}${element('Size', object.size)}${owner}<StorageClass>STANDARD</StorageClass></Contents>`,
    )
    .join('');
  const prefixes = listing.commonPrefixes
    .map((common) => `<CommonPrefixes>${element('Prefix', common)}</CommonPrefixes>`)
    .join('');
  return (
    '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
    `${element('Name', bucket)}<Prefix>${xmlEscape(prefix)}</Prefix>` +
    (token ? element('ContinuationToken', token) : element('StartAfter', startAfter)) +
    (listing.isTruncated && last
      ? element('NextContinuationToken', encodeContinuationToken(bucket, last))
      : '') +
    `<KeyCount>${listing.objects.length + listing.commonPrefixes.length}</KeyCount>` +
    `<MaxKeys>${maxKeys}</MaxKeys>${element('Delimiter', delimiter)}` +
    `<IsTruncated>${listing.isTruncated}</IsTruncated>${contents}${prefixes}</ListBucketResult>`
  );
}
