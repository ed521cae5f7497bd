import { LOCAL_ACCOUNT_ID } from '../account.js';
import { AwsError, xmlEscape } from '../http.js';
import { utf8Order } from './names.js';
import type { S3Store } from './S3Store.js';
import type { ObjectVersion } from './versions.js';

const XMLNS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';
const OWNER = `<Owner><ID>${LOCAL_ACCOUNT_ID}</ID><DisplayName>local</DisplayName></Owner>`;

/** An element, left out when its value is empty (as S3 leaves out unset fields). */
const element = (name: string, value: string | number | boolean | undefined) =>
  value === undefined || value === '' ? '' : `<${name}>${xmlEscape(String(value))}</${name}>`;

/** One page of a walk over a bucket: entries (keys or versions) and common prefixes, in order. */
interface Page<T> {
  entries: T[];
  prefixes: string[];
  truncated: boolean;
  /** The last key or common prefix on the page. */
  lastKey?: string;
  last?: T;
}

/**
 * Walks keys in S3's order after a marker, grouping by delimiter, until `max` entries and
 * prefixes are gathered. `entriesOf` answers what a key contributes (nothing, one object, versions).
 */
function walk<T>(
  keys: readonly string[],
  options: { prefix: string; delimiter: string; after: string; max: number; inclusive?: boolean },
  entriesOf: (key: string) => T[],
): Page<T> {
  const { prefix, delimiter, after, max } = options;
  const first = options.inclusive ? 0 : 1;
  const page: Page<T> = { entries: [], prefixes: [], truncated: false };
  let count = 0;
  for (const key of keys) {
    if (!key.startsWith(prefix) || utf8Order(key, after) < first) continue;
    const index = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    const common = index >= 0 ? key.slice(0, index + delimiter.length) : undefined;
    if (common !== undefined) {
      if (utf8Order(common, after) <= 0 || common === page.prefixes.at(-1)) continue;
      if (count >= max) return { ...page, truncated: true };
      page.prefixes.push(common);
      page.lastKey = common;
      count++;
      continue;
    }
    for (const entry of entriesOf(key)) {
      if (count >= max) return { ...page, truncated: true };
      page.entries.push(entry);
      page.lastKey = key;
      page.last = entry;
      count++;
    }
  }
  return page;
}

function maxKeys(query: URLSearchParams): number {
  const text = query.get('max-keys') ?? '1000';
  const value = Number(text);
  if (!/^\d+$/.test(text) || value > 2147483647) {
    throw new AwsError(
      'InvalidArgument',
      'Provided max-keys not an integer or within integer range',
    );
  }
  return Math.min(1000, value);
}

/** A continuation token: the bucket and the last key or prefix returned. */
function encodeToken(bucket: string, key: string): string {
  return Buffer.from(JSON.stringify([bucket, key])).toString('base64url');
}

function decodeToken(bucket: string, token: string): string {
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

const contents = (object: ObjectVersion, owner: string) =>
  `<Contents>${element('Key', object.key)}${element('LastModified', new Date(object.lastModified).toISOString())}` +
  `${element('ETag', object.etag)}${element('Size', object.size)}${owner}<StorageClass>STANDARD</StorageClass></Contents>`;

const commonPrefixes = (prefixes: string[]) =>
  prefixes.map((p) => `<CommonPrefixes>${element('Prefix', p)}</CommonPrefixes>`).join('');

/** The current version of a key, unless it is a delete marker. */
const current = (store: S3Store, bucket: string) => (key: string) => {
  const latest = store.buckets.versions(bucket, key)[0];
  return latest && !latest.deleteMarker ? [latest] : [];
};

/** ListObjectsV2: prefix, delimiter, start-after, continuation token, max-keys, fetch-owner. */
export function listObjectsV2(store: S3Store, bucket: string, query: URLSearchParams): string {
  const keys = store.buckets.keys(bucket);
  const max = maxKeys(query);
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') ?? '';
  const token = query.get('continuation-token');
  const startAfter = query.get('start-after') ?? '';
  const after = token ? decodeToken(bucket, token) : startAfter;
  const page = walk(keys, { prefix, delimiter, after, max }, current(store, bucket));
  const owner = query.get('fetch-owner') === 'true' ? OWNER : '';
  return (
    `<ListBucketResult ${XMLNS}>${element('Name', bucket)}<Prefix>${xmlEscape(prefix)}</Prefix>` +
    (token ? element('ContinuationToken', token) : '') +
    element('StartAfter', startAfter) +
    (page.truncated && page.lastKey
      ? element('NextContinuationToken', encodeToken(bucket, page.lastKey))
      : '') +
    `<KeyCount>${page.entries.length + page.prefixes.length}</KeyCount>` +
    `<MaxKeys>${max}</MaxKeys>${element('Delimiter', delimiter)}<IsTruncated>${page.truncated}</IsTruncated>` +
    page.entries.map((o) => contents(o, owner)).join('') +
    `${commonPrefixes(page.prefixes)}</ListBucketResult>`
  );
}

/** ListObjects (v1): prefix, delimiter, marker, max-keys; NextMarker when a delimiter is used. */
export function listObjectsV1(store: S3Store, bucket: string, query: URLSearchParams): string {
  const keys = store.buckets.keys(bucket);
  const max = maxKeys(query);
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') ?? '';
  const marker = query.get('marker') ?? '';
  const page = walk(keys, { prefix, delimiter, after: marker, max }, current(store, bucket));
  return (
    `<ListBucketResult ${XMLNS}>${element('Name', bucket)}<Prefix>${xmlEscape(prefix)}</Prefix>` +
    `<Marker>${xmlEscape(marker)}</Marker>` +
    (page.truncated && delimiter ? element('NextMarker', page.lastKey) : '') +
    `<MaxKeys>${max}</MaxKeys>${element('Delimiter', delimiter)}<IsTruncated>${page.truncated}</IsTruncated>` +
    page.entries.map((o) => contents(o, OWNER)).join('') +
    `${commonPrefixes(page.prefixes)}</ListBucketResult>`
  );
}

/** ListObjectVersions: prefix, delimiter, key-marker and version-id-marker, max-keys. */
export function listObjectVersions(store: S3Store, bucket: string, query: URLSearchParams): string {
  const keys = store.buckets.keys(bucket);
  const max = maxKeys(query);
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') ?? '';
  const keyMarker = query.get('key-marker') ?? '';
  const versionIdMarker = query.get('version-id-marker') ?? '';
  // With a version-id marker the walk resumes inside the marker key, after that version.
  const resumeKey = keyMarker && versionIdMarker ? keyMarker : undefined;
  const options = { prefix, delimiter, after: keyMarker, max, inclusive: resumeKey !== undefined };
  const page = walk(keys, options, (key) => {
    const versions = store.buckets.versions(bucket, key);
    if (key !== resumeKey) return [...versions];
    const index = versions.findIndex((v) => v.versionId === versionIdMarker);
    return index < 0 ? [] : versions.slice(index + 1);
  });
  const entries = page.entries
    .map((v) => {
      const latest = store.buckets.versions(bucket, v.key)[0] === v;
      const common =
        `${element('Key', v.key)}${element('VersionId', v.versionId)}<IsLatest>${latest}</IsLatest>` +
        element('LastModified', new Date(v.lastModified).toISOString());
      return v.deleteMarker
        ? `<DeleteMarker>${common}${OWNER}</DeleteMarker>`
        : `<Version>${common}${element('ETag', v.etag)}${element('Size', v.size)}<StorageClass>STANDARD</StorageClass>${OWNER}</Version>`;
    })
    .join('');
  const next =
    page.truncated && page.lastKey
      ? element('NextKeyMarker', page.lastKey) +
        (page.last && page.last.key === page.lastKey
          ? element('NextVersionIdMarker', page.last.versionId)
          : '')
      : '';
  return (
    `<ListVersionsResult ${XMLNS}>${element('Name', bucket)}<Prefix>${xmlEscape(prefix)}</Prefix>` +
    `<KeyMarker>${xmlEscape(keyMarker)}</KeyMarker><VersionIdMarker>${xmlEscape(versionIdMarker)}</VersionIdMarker>` +
    `${next}<MaxKeys>${max}</MaxKeys>${element('Delimiter', delimiter)}<IsTruncated>${page.truncated}</IsTruncated>` +
    `${entries}${commonPrefixes(page.prefixes)}</ListVersionsResult>`
  );
}
