import { LOCAL_ACCOUNT_ID } from '../account.js';
import { AwsError } from '../http.js';

/**
 * Bucket configuration recorded so provisioning code runs unchanged and reads back what it wrote,
 * but not enforced (versioning, which is real, is not among them).
 */
export const RECORDED_SUBRESOURCES = [
  'policy',
  'acl',
  'publicAccessBlock',
  'encryption',
  'ownershipControls',
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
  tagging: new AwsError('NoSuchTagSet', 'The TagSet does not exist', 404),
  lifecycle: new AwsError(
    'NoSuchLifecycleConfiguration',
    'The lifecycle configuration does not exist',
    404,
  ),
  notification: `<NotificationConfiguration ${XMLNS}/>`,
  logging: `<BucketLoggingStatus ${XMLNS}/>`,
};

/** A configuration document as it was PUT. */
export interface Recorded {
  body: string;
  contentType: string;
}

/** Checks a configuration document as S3 does before recording it: a policy must be JSON. */
export function checkRecorded(subresource: Subresource, body: string): void {
  if (subresource !== 'policy') return;
  try {
    JSON.parse(body);
  } catch {
    throw new AwsError(
      'MalformedPolicy',
      'Policies must be valid JSON and the first byte must be "{"',
    );
  }
}

/** What a GET answers: the recorded document or S3's default for an unset one. */
export function recordedOrDefault(
  recorded: Recorded | undefined,
  subresource: Subresource,
): Recorded {
  if (recorded) return recorded;
  const unset = UNSET[subresource];
  if (unset instanceof AwsError) throw unset;
  return { body: unset, contentType: 'application/xml' };
}
