import { LOCAL_ACCOUNT_ID } from '../account.js';
import { AwsError, xmlEscape } from '../http.js';
import type { Operation, OperationContext } from './handler.js';
import { listObjectsV1, listObjectsV2, listObjectVersions } from './listing.js';
import { checkRoot, xmlText } from './xml.js';

const XMLNS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';
const OWNER = `<Owner><ID>${LOCAL_ACCOUNT_ID}</ID><DisplayName>local</DisplayName></Owner>`;
const GLOBAL_REGION = 'us-east-1';

/**
 * CreateBucket, with S3's region rules: outside us-east-1 the LocationConstraint must be sent and
 * name the region the request is for; in us-east-1 it may be left out (and must not be us-east-1).
 */
async function createBucket({ s3, store, body, empty }: OperationContext): Promise<void> {
  const document = (await body()).toString('utf8');
  const constraint = document.trim() ? xmlText(document, 'LocationConstraint') : undefined;
  if (constraint === GLOBAL_REGION) {
    throw new AwsError(
      'InvalidLocationConstraint',
      'The specified location-constraint is not valid',
    );
  }
  if (!constraint && s3.region !== GLOBAL_REGION) {
    throw new AwsError(
      'IllegalLocationConstraintException',
      'The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.',
    );
  }
  if (constraint && s3.region !== GLOBAL_REGION && constraint !== s3.region) {
    throw new AwsError(
      'IllegalLocationConstraintException',
      `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to.`,
    );
  }
  await store.createBucket(s3.bucket, constraint || GLOBAL_REGION);
  empty(200, { location: `/${s3.bucket}` });
}

async function putVersioning({ s3, store, body, empty }: OperationContext): Promise<void> {
  const document = (await body()).toString('utf8');
  checkRoot(document, 'VersioningConfiguration');
  const status = xmlText(document, 'Status');
  if (status !== 'Enabled' && status !== 'Suspended') {
    throw new AwsError('MalformedXML', 'Versioning Status must be Enabled or Suspended');
  }
  await store.putBucketVersioning(s3.bucket, status);
  empty(200);
}

function recorded(verb: 'Get' | 'Put' | 'Delete'): Operation {
  return async ({ s3, store, request, response, body, empty }) => {
    const subresource = s3.subresource!;
    if (verb === 'Put') {
      const document = (await body()).toString('utf8');
      const contentType = String(request.headers['content-type'] ?? 'application/xml');
      await store.putBucketConfig(s3.bucket, subresource, { body: document, contentType });
      empty(subresource === 'policy' ? 204 : 200);
    } else if (verb === 'Get') {
      const { body: document, contentType } = store.getBucketConfig(s3.bucket, subresource);
      response
        .writeHead(200, {
          'content-type': contentType,
          'content-length': Buffer.byteLength(document),
        })
        .end(document);
    } else {
      store.buckets.bucket(s3.bucket);
      await store.deleteBucketConfig(s3.bucket, subresource);
      empty(204);
    }
  };
}

const CONFIG_NAMES = [
  'BucketPolicy',
  'BucketAcl',
  'PublicAccessBlock',
  'BucketEncryption',
  'BucketOwnershipControls',
  'BucketTagging',
  'BucketLifecycleConfiguration',
  'BucketNotificationConfiguration',
  'BucketLogging',
] as const;

const configOperations = Object.fromEntries(
  CONFIG_NAMES.flatMap((name) =>
    (['Get', 'Put', 'Delete'] as const).map((verb) => [`${verb}${name}`, recorded(verb)]),
  ),
);

/** The bucket-level operations, by name. */
export const BUCKET_OPERATIONS: Record<string, Operation> = {
  ...configOperations,
  CreateBucket: createBucket,
  PutBucketVersioning: putVersioning,
  DeleteBucket: async ({ s3, store, empty }) => {
    await store.deleteBucket(s3.bucket);
    empty(204);
  },
  HeadBucket: ({ s3, store, empty }) => {
    empty(200, { 'x-amz-bucket-region': store.buckets.bucket(s3.bucket).region });
  },
  ListBuckets: ({ store, xml }) => {
    const buckets = store.buckets
      .list()
      .map(
        (b) =>
          `<Bucket><Name>${xmlEscape(b.name)}</Name><CreationDate>${new Date(b.createdAt).toISOString()}</CreationDate>` +
          `<BucketRegion>${b.region}</BucketRegion></Bucket>`,
      )
      .join('');
    xml(
      200,
      `<ListAllMyBucketsResult ${XMLNS}>${OWNER}<Buckets>${buckets}</Buckets></ListAllMyBucketsResult>`,
    );
  },
  GetBucketLocation: ({ s3, store, xml }) => {
    const { region } = store.buckets.bucket(s3.bucket);
    // us-east-1 is the one region S3 answers with an empty constraint.
    const value = region === GLOBAL_REGION ? '' : region;
    xml(200, `<LocationConstraint ${XMLNS}>${value}</LocationConstraint>`);
  },
  GetBucketVersioning: ({ s3, store, xml }) => {
    const { versioning } = store.buckets.bucket(s3.bucket);
    const status = versioning ? `<Status>${versioning}</Status>` : '';
    xml(200, `<VersioningConfiguration ${XMLNS}>${status}</VersioningConfiguration>`);
  },
  ListObjects: ({ s3, store, xml }) => xml(200, listObjectsV1(store, s3.bucket, s3.query)),
  ListObjectsV2: ({ s3, store, xml }) => xml(200, listObjectsV2(store, s3.bucket, s3.query)),
  ListObjectVersions: ({ s3, store, xml }) =>
    xml(200, listObjectVersions(store, s3.bucket, s3.query)),
  ListMultipartUploads: ({ s3, store, uploads, xml }) => {
    store.buckets.bucket(s3.bucket);
    const items = uploads
      .list(s3.bucket)
      .map(
        (u) =>
          `<Upload><Key>${xmlEscape(u.key)}</Key><UploadId>${u.uploadId}</UploadId>${OWNER}` +
          `<StorageClass>STANDARD</StorageClass><Initiated>${new Date(u.initiated).toISOString()}</Initiated></Upload>`,
      )
      .join('');
    xml(
      200,
      `<ListMultipartUploadsResult ${XMLNS}><Bucket>${xmlEscape(s3.bucket)}</Bucket><MaxUploads>1000</MaxUploads>` +
        `<IsTruncated>false</IsTruncated>${items}</ListMultipartUploadsResult>`,
    );
  },
};
