import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { useAwsCli } from '../support/awsCli.js';
import { useLocalAws } from '../support/localAws.js';

const local = useLocalAws();
const aws = useAwsCli(local.endpoint);
const awsFails = aws.fails;
let work = '';

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'aws-cli-work-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

// Concurrent: each test has its own table, bucket, stream or topic, and the time goes to starting
// the CLI's Python for each call, so the four side by side finish sooner than one after another.
// Side by side, each test's clock also runs while the others work: hence the longer timeout.
describe.concurrent('the AWS CLI against local AWS', { timeout: 120_000 }, () => {
  it('creates a table, puts, scans, and fails a conditional update', async ({ expect }) => {
    await aws(
      'dynamodb',
      'create-table',
      '--table-name',
      'cli-table',
      '--attribute-definitions',
      'AttributeName=TickerName,AttributeType=S',
      '--key-schema',
      'AttributeName=TickerName,KeyType=HASH',
      '--billing-mode',
      'PAY_PER_REQUEST',
    );
    await aws('dynamodb', 'wait', 'table-exists', '--table-name', 'cli-table');
    await aws(
      'dynamodb',
      'put-item',
      '--table-name',
      'cli-table',
      '--item',
      '{"TickerName":{"S":"Index_1"},"Price":{"N":"100"}}',
    );

    const scan = JSON.parse(await aws('dynamodb', 'scan', '--table-name', 'cli-table'));
    const failure = await awsFails(
      'dynamodb',
      'update-item',
      '--table-name',
      'cli-table',
      '--key',
      '{"TickerName":{"S":"Index_1"}}',
      '--update-expression',
      'SET Price = :p',
      '--condition-expression',
      'Price = :old',
      '--expression-attribute-values',
      '{":p":{"N":"101"},":old":{"N":"99"}}',
    );

    expect(scan.Items).toEqual([{ TickerName: { S: 'Index_1' }, Price: { N: '100' } }]);
    expect(failure).toContain('ConditionalCheckFailedException');
  });

  it('copies more than 1,000 files with s3 cp and lists them with s3 ls --recursive', async ({
    expect,
  }) => {
    const folder = join(work, 'upload');
    await mkdir(folder);
    await Promise.all(
      Array.from({ length: 1005 }, (_, i) =>
        writeFile(join(folder, `file-${String(i).padStart(4, '0')}.txt`), `${i}\n`),
      ),
    );
    await aws('s3', 'mb', 's3://cli-bucket');

    await aws('s3', 'cp', folder, 's3://cli-bucket/many/', '--recursive', '--only-show-errors');
    const listing = (await aws('s3', 'ls', '--recursive', 's3://cli-bucket/many/'))
      .trim()
      .split('\n');
    await aws('s3', 'cp', 's3://cli-bucket/many/file-1004.txt', join(work, 'back.txt'));

    expect(listing).toHaveLength(1005);
    expect(listing.at(-1)).toMatch(/many\/file-1004\.txt$/);
    expect(await readFile(join(work, 'back.txt'), 'utf8')).toBe('1004\n');
  });

  it('delivers a Firehose put-record-batch with zero buffering to S3 under the default key', async ({
    expect,
  }) => {
    await aws('s3', 'mb', 's3://cli-firehose-bucket');
    await aws(
      'firehose',
      'create-delivery-stream',
      '--delivery-stream-name',
      'cli-stream',
      '--delivery-stream-type',
      'DirectPut',
      '--extended-s3-destination-configuration',
      JSON.stringify({
        RoleARN: 'arn:aws:iam::000000000000:role/firehose',
        BucketARN: 'arn:aws:s3:::cli-firehose-bucket',
        Prefix: 'ticks/',
        BufferingHints: { IntervalInSeconds: 0, SizeInMBs: 1 },
      }),
    );
    const records = join(work, 'records.json');
    await writeFile(
      records,
      JSON.stringify([
        { Data: '{"TickerName":"Index_1"}\n' },
        { Data: '{"TickerName":"Index_2"}\n' },
      ]),
    );

    const result = JSON.parse(
      await aws(
        'firehose',
        'put-record-batch',
        '--delivery-stream-name',
        'cli-stream',
        '--cli-binary-format',
        'raw-in-base64-out',
        '--records',
        `file://${records}`,
      ),
    );
    let listing = '';
    for (let attempt = 0; attempt < 50 && !listing; attempt++) {
      listing = (await aws('s3', 'ls', '--recursive', 's3://cli-firehose-bucket/ticks/')).trim();
      if (!listing) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const key = listing.split(/\s+/).at(-1)!;
    await aws('s3', 'cp', `s3://cli-firehose-bucket/${key}`, join(work, 'object'));

    expect(result.FailedPutCount).toBe(0);
    const now = new Date();
    const day = `${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, '0')}/${String(now.getUTCDate()).padStart(2, '0')}`;
    expect(key).toMatch(
      new RegExp(`^ticks/${day}/\\d{2}/cli-stream-1-\\d{4}(-\\d{2}){5}-[0-9a-f-]{36}$`),
    );
    expect(await readFile(join(work, 'object'), 'utf8')).toBe(
      '{"TickerName":"Index_1"}\n{"TickerName":"Index_2"}\n',
    );
  });

  it('publishes to an SNS email subscription that lands in the outbox', async ({ expect }) => {
    const { TopicArn } = JSON.parse(await aws('sns', 'create-topic', '--name', 'cli-topic'));
    await aws(
      'sns',
      'subscribe',
      '--topic-arn',
      TopicArn,
      '--protocol',
      'email',
      '--notification-endpoint',
      'kyle@example.com',
    );

    const { MessageId } = JSON.parse(
      await aws(
        'sns',
        'publish',
        '--topic-arn',
        TopicArn,
        '--subject',
        'From the CLI',
        '--message',
        'Hello, outbox',
      ),
    );
    const files = (await readdir(local.instance().outbox)).filter((file) =>
      file.includes(MessageId),
    );
    const email = await readFile(join(local.instance().outbox, files[0]!), 'utf8');

    expect(files).toHaveLength(1);
    expect(email).toContain('Subject: From the CLI');
    expect(email).toContain('Hello, outbox');
  });
});
