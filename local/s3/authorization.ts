import type { IamCall, ServiceMapping, ServiceRequest } from '../iam/authorize.js';
import { AwsError } from '../http.js';
import { resolveRequest } from './operations.js';
import type { S3Store } from './S3Store.js';

/** The IAM action of each S3 operation, where it is not `s3:` and the operation's own name. */
const ACTIONS: Record<string, string> = {
  ListBuckets: 's3:ListAllMyBuckets',
  HeadBucket: 's3:ListBucket',
  ListObjects: 's3:ListBucket',
  ListObjectsV2: 's3:ListBucket',
  ListObjectVersions: 's3:ListBucketVersions',
  ListMultipartUploads: 's3:ListBucketMultipartUploads',
  HeadObject: 's3:GetObject',
  CopyObject: 's3:PutObject',
  UploadPart: 's3:PutObject',
  UploadPartCopy: 's3:PutObject',
  CreateMultipartUpload: 's3:PutObject',
  CompleteMultipartUpload: 's3:PutObject',
  ListParts: 's3:ListMultipartUploadParts',
  DeleteObjects: 's3:DeleteObject',
  GetPublicAccessBlock: 's3:GetBucketPublicAccessBlock',
  PutPublicAccessBlock: 's3:PutBucketPublicAccessBlock',
  DeletePublicAccessBlock: 's3:PutBucketPublicAccessBlock',
  GetBucketEncryption: 's3:GetEncryptionConfiguration',
  PutBucketEncryption: 's3:PutEncryptionConfiguration',
  DeleteBucketEncryption: 's3:PutEncryptionConfiguration',
  DeleteBucketOwnershipControls: 's3:PutBucketOwnershipControls',
  DeleteBucketTagging: 's3:PutBucketTagging',
  GetBucketLifecycleConfiguration: 's3:GetLifecycleConfiguration',
  PutBucketLifecycleConfiguration: 's3:PutLifecycleConfiguration',
  DeleteBucketLifecycleConfiguration: 's3:PutLifecycleConfiguration',
  GetBucketNotificationConfiguration: 's3:GetBucketNotification',
  PutBucketNotificationConfiguration: 's3:PutBucketNotification',
  DeleteBucketNotificationConfiguration: 's3:PutBucketNotification',
  DeleteBucketLogging: 's3:PutBucketLogging',
  DeleteBucketAcl: 's3:PutBucketAcl',
};

/** Reads RestrictPublicBuckets from a recorded PublicAccessBlock document (off when unset). */
function restrictsPublic(store: S3Store, bucket: string): boolean {
  try {
    const { body } = store.getBucketConfig(bucket, 'publicAccessBlock');
    return /<RestrictPublicBuckets>\s*true\s*<\/RestrictPublicBuckets>/i.test(body);
  } catch (error: unknown) {
    if (error instanceof AwsError) return false; // no configuration, or no such bucket
    throw error;
  }
}

function bucketPolicy(store: S3Store, bucket: string): string | undefined {
  try {
    return store.getBucketConfig(bucket, 'policy').body;
  } catch (error: unknown) {
    if (error instanceof AwsError) return undefined;
    throw error;
  }
}

function exists(store: S3Store, bucket: string): boolean {
  try {
    store.buckets.bucket(bucket);
    return true;
  } catch (error: unknown) {
    if (error instanceof AwsError) return false;
    throw error;
  }
}

/** The IAM call an S3 request makes: object actions on the object's ARN, others on the bucket's. */
export function s3Call(store: S3Store, request: ServiceRequest): IamCall {
  const mark = request.rawUrl.indexOf('?');
  const query = new URLSearchParams(mark < 0 ? '' : request.rawUrl.slice(mark + 1));
  let operation: string;
  let bucket: string;
  let key: string;
  try {
    ({ operation, bucket, key } = resolveRequest(
      request.method,
      request.rawUrl,
      request.region,
      request.headers,
    ));
  } catch (error: unknown) {
    if (!(error instanceof AwsError)) throw error;
    // Object ACL calls are refused as not implemented, but only after IAM has had its say.
    const path = mark < 0 ? request.rawUrl : request.rawUrl.slice(0, mark);
    const slash = path.indexOf('/', 1);
    if (slash < 0 || !query.has('acl')) throw error;
    bucket = decodeURIComponent(path.slice(1, slash));
    key = decodeURIComponent(path.slice(slash + 1));
    operation = request.method === 'GET' ? 'GetObjectAcl' : 'PutObjectAcl';
  }
  const action = ACTIONS[operation] ?? `s3:${operation}`;
  if (!bucket) return { action, resource: '*' };
  const onObject = key !== '' && operation !== 'DeleteObjects';
  const context: Record<string, string> = {};
  if (action === 's3:ListBucket') {
    context['s3:prefix'] = query.get('prefix') ?? '';
    if (query.has('delimiter')) context['s3:delimiter'] = query.get('delimiter')!;
  }
  const policy = bucketPolicy(store, bucket);
  return {
    action,
    resource: onObject ? `arn:aws:s3:::${bucket}/${key}` : `arn:aws:s3:::${bucket}`,
    context,
    ...(policy ? { resourcePolicy: policy } : {}),
    restrictPublicBuckets: restrictsPublic(store, bucket),
  };
}

/** How S3's requests map to IAM: from the path, the method and the query, never the body. */
export function s3Authorization(store: S3Store): ServiceMapping {
  return {
    readsBody: false,
    calls: (request) => {
      const call = s3Call(store, request);
      // S3 answers NoSuchBucket before it authorises anything, anonymous callers included.
      const bucket = call.resource.slice('arn:aws:s3:::'.length).split('/')[0];
      if (bucket && call.action !== 's3:CreateBucket' && !exists(store, bucket)) return [];
      // DeleteObjects names its keys in the body; AWS authorises each key as DeleteObject.
      return call.resource.includes('/') || call.action !== 's3:DeleteObject'
        ? [call]
        : [{ ...call, resource: `${call.resource}/*` }];
    },
    denied: { code: 'AccessDenied', status: 403 },
  };
}
