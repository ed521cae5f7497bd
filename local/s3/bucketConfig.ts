import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { LOCAL_ACCOUNT_ID } from '../account.js';
import { AwsError } from '../http.js';
import { JsonFile } from '../state.js';

/**
 * Bucket configuration that s3rver does not implement: recorded so provisioning code runs
 * unchanged and reads back what it wrote, but not enforced.
 */
export const RECORDED_SUBRESOURCES = [
  'policy',
  'acl',
  'publicAccessBlock',
  'encryption',
  'ownershipControls',
  'versioning',
  'tagging',
  'lifecycle',
  'notification',
  'logging',
] as const;

/** One of {@link RECORDED_SUBRESOURCES}. */
export type Subresource = (typeof RECORDED_SUBRESOURCES)[number];

const OWNER = `<Owner><ID>${LOCAL_ACCOUNT_ID}</ID><DisplayName>local</DisplayName></Owner>`;
const XMLNS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';

/** What S3 answers for a configuration never set: a default document, or an error. */
const UNSET: Record<Subresource, string | AwsError> = {
  policy: new AwsError('NoSuchBucketPolicy', 'The bucket policy does not exist', 404),
  acl:
    `<AccessControlPolicy ${XMLNS}>${OWNER}<AccessControlList><Grant>` +
    `<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>${LOCAL_ACCOUNT_ID}</ID></Grantee>` +
    '<Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>',
  publicAccessBlock: new AwsError(
    'NoSuchPublicAccessBlockConfiguration',
    'The public access block configuration was not found',
    404,
  ),
  // New buckets have SSE-S3 encryption and BucketOwnerEnforced ownership by default.
  encryption:
    `<ServerSideEncryptionConfiguration ${XMLNS}><Rule><ApplyServerSideEncryptionByDefault>` +
    '<SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault>' +
    '<BucketKeyEnabled>false</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>',
  ownershipControls: `<OwnershipControls ${XMLNS}><Rule><ObjectOwnership>BucketOwnerEnforced</ObjectOwnership></Rule></OwnershipControls>`,
  versioning: `<VersioningConfiguration ${XMLNS}/>`,
  tagging: new AwsError('NoSuchTagSet', 'The TagSet does not exist', 404),
  lifecycle: new AwsError(
    'NoSuchLifecycleConfiguration',
    'The lifecycle configuration does not exist',
    404,
  ),
  notification: `<NotificationConfiguration ${XMLNS}/>`,
  logging: `<BucketLoggingStatus ${XMLNS}/>`,
};

interface Recorded {
  body: string;
  contentType: string;
}

type BucketDocument = Partial<Record<Subresource, Recorded>>;

/** The recorded configuration of every bucket, one JSON file a bucket. */
export class BucketConfigStore {
  constructor(private readonly folder: string) {}

  private file(bucket: string): JsonFile<BucketDocument> {
    return new JsonFile(join(this.folder, `${bucket}.json`), () => ({}));
  }

  /** Records a PUT. A policy must at least be JSON, as S3 checks. */
  async put(
    bucket: string,
    subresource: Subresource,
    body: string,
    contentType: string,
  ): Promise<void> {
    if (subresource === 'policy') {
      try {
        JSON.parse(body);
      } catch {
        throw new AwsError(
          'MalformedPolicy',
          'Policies must be valid JSON and the first byte must be "{"',
        );
      }
    }
    const file = this.file(bucket);
    const document = await file.read();
    document[subresource] = { body, contentType };
    await file.write(document);
  }

  /** What a GET answers: the recorded document or S3's default for an unset one. */
  async get(bucket: string, subresource: Subresource): Promise<Recorded> {
    const recorded = (await this.file(bucket).read())[subresource];
    if (recorded) return recorded;
    const unset = UNSET[subresource];
    if (unset instanceof AwsError) throw unset;
    return { body: unset, contentType: 'application/xml' };
  }

  /** Forgets one configuration. */
  async delete(bucket: string, subresource: Subresource): Promise<void> {
    const file = this.file(bucket);
    const document = await file.read();
    delete document[subresource];
    await file.write(document);
  }

  /** Forgets a deleted bucket's configuration. */
  async forget(bucket: string): Promise<void> {
    await rm(join(this.folder, `${bucket}.json`), { force: true });
  }
}
