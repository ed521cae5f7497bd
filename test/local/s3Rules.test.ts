import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { useAwsCli } from '../support/awsCli.js';
import { runBoto3 } from '../support/boto3.js';
import { IN_REGION, useLocalAws } from '../support/localAws.js';

const local = useLocalAws();
const aws = useAwsCli(local.endpoint);
let s3: S3Client;
let east: S3Client;

beforeAll(async () => {
  s3 = new S3Client({ forcePathStyle: true, maxAttempts: 1 });
  east = new S3Client({ forcePathStyle: true, maxAttempts: 1, region: 'us-east-1' });
  await s3.send(new CreateBucketCommand({ Bucket: 'range-bucket', ...IN_REGION }));
  await s3.send(
    new PutObjectCommand({ Bucket: 'range-bucket', Key: 'digits', Body: '0123456789' }),
  );
});

async function range(Range: string) {
  const got = await s3.send(new GetObjectCommand({ Bucket: 'range-bucket', Key: 'digits', Range }));
  return { body: await got.Body!.transformToString(), contentRange: got.ContentRange };
}

describe('S3 Range', () => {
  it('answers bytes=-3 with the last three bytes', async () => {
    expect(await range('bytes=-3')).toEqual({ body: '789', contentRange: 'bytes 7-9/10' });
  });

  it('answers bytes=5- with everything from byte 5', async () => {
    expect(await range('bytes=5-')).toEqual({ body: '56789', contentRange: 'bytes 5-9/10' });
  });

  it('answers bytes=0-0 with the first byte', async () => {
    expect(await range('bytes=0-0')).toEqual({ body: '0', contentRange: 'bytes 0-0/10' });
  });

  it('answers a range past the end with 416 InvalidRange', async () => {
    await expect(range('bytes=10-')).rejects.toMatchObject({
      name: 'InvalidRange',
      $metadata: { httpStatusCode: 416 },
    });
  });
});

describe('S3 bucket rules', () => {
  it.each([
    'under_score',
    'trailing-',
    '192.168.5.4',
    'xn--foo',
    'ab',
    'Upper',
    'a..b',
    'x-s3alias',
  ])('refuses the bucket name %s with InvalidBucketName', async (Bucket) => {
    await expect(s3.send(new CreateBucketCommand({ Bucket, ...IN_REGION }))).rejects.toMatchObject({
      name: 'InvalidBucketName',
    });
  });

  it('refuses CreateBucket without a LocationConstraint outside us-east-1', async () => {
    // The CLI's s3api sends none (SDK v3 fills in its region).
    const error = await aws.fails('s3api', 'create-bucket', '--bucket', 'no-constraint');

    expect(error).toContain('IllegalLocationConstraintException');
  });

  it('refuses a LocationConstraint other than the region the request is for', async () => {
    await expect(
      s3.send(
        new CreateBucketCommand({
          Bucket: 'other-constraint',
          CreateBucketConfiguration: { LocationConstraint: 'eu-central-1' },
        }),
      ),
    ).rejects.toMatchObject({ name: 'IllegalLocationConstraintException' });
  });

  it("answers GetBucketLocation with the bucket's region, and null for us-east-1", async () => {
    await east.send(new CreateBucketCommand({ Bucket: 'east-bucket' }));

    const regional = await s3.send(new GetBucketLocationCommand({ Bucket: 'range-bucket' }));
    const global = await east.send(new GetBucketLocationCommand({ Bucket: 'east-bucket' }));
    const cli = JSON.parse(await aws('s3api', 'get-bucket-location', '--bucket', 'east-bucket'));

    expect(regional.LocationConstraint).toBe('eu-west-1');
    expect(global.LocationConstraint).toBeUndefined();
    expect(cli.LocationConstraint).toBeNull();
  });

  it('answers BucketAlreadyOwnedByYou to re-creating a bucket outside us-east-1', async () => {
    await expect(
      s3.send(new CreateBucketCommand({ Bucket: 'range-bucket', ...IN_REGION })),
    ).rejects.toMatchObject({
      name: 'BucketAlreadyOwnedByYou',
      $metadata: { httpStatusCode: 409 },
    });
  });

  it('answers 200 to re-creating a us-east-1 bucket, as AWS documents for that region', async () => {
    await east.send(new CreateBucketCommand({ Bucket: 'east-again' }));

    await expect(
      east.send(new CreateBucketCommand({ Bucket: 'east-again' })),
    ).resolves.toBeDefined();
  });

  it('refuses DeleteObjects with 1,001 keys as MalformedXML', async () => {
    const Objects = Array.from({ length: 1001 }, (_, i) => ({ Key: `k${i}` }));

    await expect(
      s3.send(new DeleteObjectsCommand({ Bucket: 'range-bucket', Delete: { Objects } })),
    ).rejects.toMatchObject({ name: 'MalformedXML' });
  });
});

describe('S3 presigned URLs', () => {
  it('serves SigV2 (AWSAccessKeyId, Signature, Expires) and SigV4 URLs from boto3, with any key', async () => {
    const output = await runBoto3(
      local.endpoint(),
      "for version in ('s3', 's3v4'):\n" +
        "    c = boto3.client('s3', endpoint_url=endpoint, aws_access_key_id='ANYKEY' + version, aws_secret_access_key='x', config=botocore.config.Config(signature_version=version, s3={'addressing_style': 'path'}))\n" +
        "    put = c.generate_presigned_url('put_object', Params={'Bucket': 'range-bucket', 'Key': 'signed-' + version})\n" +
        "    urllib.request.urlopen(urllib.request.Request(put, data=version.encode(), method='PUT'))\n" +
        "    get = c.generate_presigned_url('get_object', Params={'Bucket': 'range-bucket', 'Key': 'signed-' + version})\n" +
        "    print(get.split('?')[1].split('=')[0], urllib.request.urlopen(get).read().decode())",
    );

    expect(output.trim().split('\n')).toEqual(['AWSAccessKeyId s3', 'X-Amz-Algorithm s3v4']);
  });
});
