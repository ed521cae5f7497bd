import { AwsError } from '../http.js';
import { RECORDED_SUBRESOURCES } from './bucketConfig.js';
import type { Subresource } from './bucketConfig.js';

/** A request resolved to its S3 operation, bucket and key, before anything runs. */
export interface S3Request {
  /** The operation's name in the S3 API (`GetObject`, `PutBucketPolicy`, ...). */
  operation: string;
  bucket: string;
  /** The key exactly as sent: no dot-segment or slash normalisation. */
  key: string;
  query: URLSearchParams;
  /** The region the request was signed for (us-east-1 when unsigned or SigV2). */
  region: string;
  subresource?: Subresource;
}

/** The operation names of the recorded configuration calls, by subresource. */
const CONFIG_OPERATIONS: Record<Subresource, string> = {
  policy: 'BucketPolicy',
  acl: 'BucketAcl',
  publicAccessBlock: 'PublicAccessBlock',
  encryption: 'BucketEncryption',
  ownershipControls: 'BucketOwnershipControls',
  tagging: 'BucketTagging',
  lifecycle: 'BucketLifecycleConfiguration',
  notification: 'BucketNotificationConfiguration',
  logging: 'BucketLogging',
};

const VERBS: Record<string, string> = { GET: 'Get', PUT: 'Put', DELETE: 'Delete' };

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new AwsError('InvalidURI', "Couldn't parse the specified URI.");
  }
}

function bucketOperation(
  method: string,
  query: URLSearchParams,
  subresource?: Subresource,
): string | undefined {
  const has = (name: string) => query.has(name);
  if (subresource && VERBS[method]) return `${VERBS[method]}${CONFIG_OPERATIONS[subresource]}`;
  switch (method) {
    case 'PUT':
      return has('versioning') ? 'PutBucketVersioning' : 'CreateBucket';
    case 'HEAD':
      return 'HeadBucket';
    case 'DELETE':
      return 'DeleteBucket';
    case 'POST':
      return has('delete') ? 'DeleteObjects' : undefined;
    case 'GET':
      if (has('versioning')) return 'GetBucketVersioning';
      if (has('location')) return 'GetBucketLocation';
      if (has('versions')) return 'ListObjectVersions';
      if (has('uploads')) return 'ListMultipartUploads';
      return query.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects';
  }
  return undefined;
}

function objectOperation(
  method: string,
  query: URLSearchParams,
  copySource: boolean,
): string | undefined {
  const upload = query.has('uploadId');
  switch (method) {
    case 'PUT':
      if (upload && query.has('partNumber')) return copySource ? 'UploadPartCopy' : 'UploadPart';
      return copySource ? 'CopyObject' : 'PutObject';
    case 'GET':
      return upload ? 'ListParts' : 'GetObject';
    case 'HEAD':
      return 'HeadObject';
    case 'DELETE':
      return upload ? 'AbortMultipartUpload' : 'DeleteObject';
    case 'POST':
      if (query.has('uploads')) return 'CreateMultipartUpload';
      return upload ? 'CompleteMultipartUpload' : undefined;
  }
  return undefined;
}

/**
 * Resolves a path-style request to its operation: the one place a request is understood before it
 * runs, where authorisation can hook in. The path is read raw, as S3 does, so `a//b`, `./x` and
 * `..` are keys, never path segments.
 */
export function resolveRequest(
  method: string,
  rawUrl: string,
  region: string,
  headers: Record<string, string | string[] | undefined>,
): S3Request {
  const mark = rawUrl.indexOf('?');
  const path = mark < 0 ? rawUrl : rawUrl.slice(0, mark);
  const query = new URLSearchParams(mark < 0 ? '' : rawUrl.slice(mark + 1));
  const slash = path.indexOf('/', 1);
  const bucket = decode(slash < 0 ? path.slice(1) : path.slice(1, slash));
  const key = slash < 0 ? '' : decode(path.slice(slash + 1));
  const subresource = RECORDED_SUBRESOURCES.find((name) => query.has(name));
  let operation: string | undefined;
  if (!bucket) operation = method === 'GET' ? 'ListBuckets' : undefined;
  else if (!key) operation = bucketOperation(method, query, subresource);
  else if (query.has('tagging') && method === 'GET') operation = 'GetObjectTagging';
  else if (
    query.has('tagging') ||
    query.has('acl') ||
    query.has('retention') ||
    query.has('legal-hold')
  ) {
    throw new AwsError(
      'NotImplemented',
      'Local S3 does not implement changing object tags, object ACLs or object lock',
      501,
    );
  } else operation = objectOperation(method, query, headers['x-amz-copy-source'] !== undefined);
  if (!operation) {
    throw new AwsError(
      'MethodNotAllowed',
      `The specified method (${method}) is not allowed against this resource.`,
      405,
    );
  }
  return { operation, bucket, key, query, region, subresource };
}
