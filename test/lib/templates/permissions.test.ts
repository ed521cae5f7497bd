import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_CALLS } from '../../../functions/calls.js';
import { loadConfig } from '../../../lib/config/load.js';
import { deriveNames } from '../../../lib/config/names.js';
import type { Finding } from '../../../lib/errors.js';
import { pipelineParameters } from '../../../lib/templates/parameters.js';
import type { ParameterValues } from '../../../lib/templates/parameters.js';
import { parseTemplate } from '../../../lib/templates/parse.js';
import type { ParsedTemplate } from '../../../lib/templates/parse.js';
import { checkPermissions } from '../../../lib/templates/permissions.js';
import type { PermissionsOptions } from '../../../lib/templates/permissions.js';

const ACCOUNT = '123456789012';
const PIPELINE = 'cloudformation/pipeline.yaml';
let text: string;
let parameters: ParameterValues;

beforeAll(async () => {
  text = await readFile(PIPELINE, 'utf8');
  const config = await loadConfig('pipeline.config.json');
  parameters = pipelineParameters(config, deriveNames(config), {
    streaming: 'functions/streaming-0000000000000000.zip',
    notification: 'functions/notification-0000000000000000.zip',
  });
});

/** The pipeline template with the YAML at each path taken out (or set, when a value is given). */
function pipelineWith(edits: [path: (string | number)[], value?: unknown][]): ParsedTemplate {
  const doc = parseDocument(text);
  for (const [path, value] of edits)
    if (value === undefined) doc.deleteIn(path);
    else doc.setIn(path, value);
  return parseTemplate(String(doc), PIPELINE);
}

/** The path of one statement of a role's first inline policy. */
const statement = (role: string, index: number) => [
  'Resources',
  role,
  'Properties',
  'Policies',
  0,
  'PolicyDocument',
  'Statement',
  index,
];

async function check(
  template: ParsedTemplate,
  options: Partial<PermissionsOptions> = {},
): Promise<Finding[]> {
  return checkPermissions(template, {
    parameters,
    pseudo: {
      accountId: ACCOUNT,
      region: 'eu-west-1',
      partition: 'aws',
      stackName: 'DEKYLMAP-streaming-pipeline',
    },
    functionCalls: FUNCTION_CALLS,
    ...options,
  });
}

/** `path: action on resource` for each finding about a missing permission. */
const missing = (findings: Finding[]) =>
  findings.map((finding) => {
    const match = / does not allow (\S+) on (\S+),/.exec(finding.message);
    return `${finding.path}: ${match ? `${match[1]} on ${match[2]}` : finding.message}`;
  });

const TABLE = `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/DEKYLMAP-streaming-dynamodb`;
const BUCKET = 'arn:aws:s3:::dekylemaposa-deliverystream-s3';
const logStream = (group: string) =>
  `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:${group}:log-stream:2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef`;

describe('checkPermissions', () => {
  it('proves every call of the real pipeline template allowed', async () => {
    expect(await check(parseTemplate(text, PIPELINE))).toEqual([]);
  });

  it('reports a missing permission on the role, naming the call, the resource ARN and the role', async () => {
    // Prepare: the streaming role without its DynamoDB statement.
    const template = pipelineWith([[statement('StreamingFunctionRole', 0)]]);

    // Act
    const findings = await check(template);

    // Assess
    expect(findings[0]).toEqual({
      file: PIPELINE,
      path: 'Resources.StreamingFunctionRole',
      ...template.locate(['Resources', 'StreamingFunctionRole']),
      message: `StreamingFunctionRole (arn:aws:iam::${ACCOUNT}:role/DEKYLMAP-streaming-lambda-role) does not allow dynamodb:Scan on ${TABLE}, which functions/streaming calls (TABLE_NAME): no statement of identity policies stream-tickers allows it`,
    });
    expect(missing(findings)).toEqual(
      ['Scan', 'GetItem', 'UpdateItem'].map(
        (action) => `Resources.StreamingFunctionRole: dynamodb:${action} on ${TABLE}`,
      ),
    );
  });

  it.each([
    [
      1,
      `firehose:PutRecordBatch on arn:aws:firehose:eu-west-1:${ACCOUNT}:deliverystream/DEKYLMAP-deliverystream`,
    ],
    [
      2,
      `lambda:InvokeFunction on arn:aws:lambda:eu-west-1:${ACCOUNT}:function:DEKYLMAP-notification-lambda`,
    ],
    [3, `logs:CreateLogStream on ${logStream('/aws/lambda/DEKYLMAP-streaming-lambda')}`],
  ])('reports the streaming role without statement %i', async (index, call) => {
    const findings = await check(pipelineWith([[statement('StreamingFunctionRole', index)]]));
    expect(missing(findings)).toContain(`Resources.StreamingFunctionRole: ${call}`);
  });

  it.each([
    [0, `sns:Publish on arn:aws:sns:eu-west-1:${ACCOUNT}:DEKYLMAP-streaming-sns-topic`],
    [1, `logs:PutLogEvents on ${logStream('/aws/lambda/DEKYLMAP-notification-lambda')}`],
  ])('reports the notification role without statement %i', async (index, call) => {
    const findings = await check(pipelineWith([[statement('NotificationFunctionRole', index)]]));
    expect(missing(findings)).toContain(`Resources.NotificationFunctionRole: ${call}`);
  });

  it('reports each S3 call AWS documents for Firehose when the delivery role lacks its S3 statement', async () => {
    // Prepare: a private bucket, whose policy grants no reads of its own to the role.
    const template = pipelineWith([[statement('DeliveryStreamRole', 0)]]);

    // Act
    const findings = await check(template, {
      parameters: { ...parameters, BucketReadAccess: 'private' },
    });

    // Assess
    const calls = missing(findings).map((line) => line.split(' on ')[0]);
    expect([...new Set(calls)].sort()).toEqual(
      [
        's3:AbortMultipartUpload',
        's3:GetBucketLocation',
        's3:GetObject',
        's3:ListBucket',
        's3:ListBucketMultipartUploads',
        's3:PutObject',
      ].map((action) => `Resources.DeliveryStreamRole: ${action}`),
    );
    expect(missing(findings)).toContain(`Resources.DeliveryStreamRole: s3:ListBucket on ${BUCKET}`);
  });

  it('reports the delivery role unable to log to its error stream', async () => {
    const findings = await check(pipelineWith([[statement('DeliveryStreamRole', 1)]]));
    expect(missing(findings)).toEqual([
      `Resources.DeliveryStreamRole: logs:PutLogEvents on arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/aws/kinesisfirehose/DEKYLMAP-deliverystream:log-stream:DestinationDelivery`,
    ]);
  });

  it('requires the KMS calls Firehose makes when its S3 destination encrypts with a KMS key', async () => {
    // Prepare
    const key = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/0b5f5d1e-0000-4000-8000-000000000000`;
    const template = pipelineWith([
      [
        [
          'Resources',
          'DeliveryStream',
          'Properties',
          'ExtendedS3DestinationConfiguration',
          'EncryptionConfiguration',
        ],
        { KMSEncryptionConfig: { AWSKMSKeyARN: key } },
      ],
    ]);

    // Act
    const findings = await check(template);

    // Assess
    expect(missing(findings)).toEqual([
      `Resources.DeliveryStreamRole: kms:GenerateDataKey on ${key}`,
      `Resources.DeliveryStreamRole: kms:Decrypt on ${key}`,
    ]);
  });

  it('reports the schedule role unable to invoke the streaming function', async () => {
    const findings = await check(pipelineWith([[statement('SchedulerRole', 0)]]));
    expect(missing(findings)).toEqual([
      `Resources.SchedulerRole: lambda:InvokeFunction on arn:aws:lambda:eu-west-1:${ACCOUNT}:function:DEKYLMAP-streaming-lambda`,
    ]);
  });

  it('counts the reads a bucket policy grants every signed-in principal (authenticated-aws-accounts)', async () => {
    const findings = await check(pipelineWith([[statement('DeliveryStreamRole', 0)]]));
    const calls = new Set(missing(findings).map((line) => line.split(' on ')[0]));
    expect(calls).not.toContain('Resources.DeliveryStreamRole: s3:GetObject');
    expect(calls).toContain('Resources.DeliveryStreamRole: s3:PutObject');
  });

  it('honours a deny in the bucket policy against the delivery role', async () => {
    // Prepare: the outside-writes deny turned against the account itself.
    const template = pipelineWith([
      [
        [
          'Resources',
          'DataBucketPolicy',
          'Properties',
          'PolicyDocument',
          'Statement',
          1,
          'Condition',
        ],
        { StringEquals: { 'aws:PrincipalAccount': ACCOUNT } },
      ],
    ]);

    // Act
    const findings = await check(template);

    // Assess
    expect(findings.map((finding) => finding.message)).toContainEqual(
      expect.stringMatching(
        /does not allow s3:PutObject on .*: explicitly denied by the resource policy, statement 2 \(DenyWritesFromOutsideTheAccount\)$/,
      ),
    );
  });

  it('reports a trust policy that does not let the service assume the role', async () => {
    const template = pipelineWith([
      [
        [
          'Resources',
          'DeliveryStreamRole',
          'Properties',
          'AssumeRolePolicyDocument',
          'Statement',
          0,
          'Condition',
        ],
        { StringEquals: { 'sts:ExternalId': '999999999999' } },
      ],
    ]);
    const findings = await check(template);
    expect(findings).toEqual([
      expect.objectContaining({
        path: 'Resources.DeliveryStreamRole.Properties.AssumeRolePolicyDocument',
        message: `DeliveryStreamRole's trust policy does not let firehose.amazonaws.com assume arn:aws:iam::${ACCOUNT}:role/DEKYLMAP-deliverystream-role, which Firehose assumes it to deliver DeliveryStream: the resource policy does not allow it`,
      }),
    ]);
  });

  it('reports a call of the code whose resource the function is not given', async () => {
    const template = pipelineWith([
      [['Resources', 'StreamingFunction', 'Properties', 'Environment', 'Variables', 'TABLE_NAME']],
    ]);
    const findings = await check(template);
    expect(findings.map((finding) => finding.message)).toContain(
      'functions/streaming reads TABLE_NAME to call dynamodb:Scan, but StreamingFunction does not set it',
    );
  });

  it('reports a call list naming an action IAM does not know', async () => {
    const findings = await check(parseTemplate(text, PIPELINE), {
      functionCalls: {
        ...FUNCTION_CALLS,
        notification: [{ action: 'sns:Publishh', resource: 'topic', variable: 'TOPIC_ARN' }],
      },
    });
    expect(findings).toEqual([
      expect.objectContaining({
        path: 'Resources.NotificationFunctionRole',
        message: expect.stringMatching(/^cannot evaluate sns:Publishh on arn:aws:sns:/),
      }),
    ]);
  });
});
