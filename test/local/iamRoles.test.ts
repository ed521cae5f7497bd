import {
  CreateTableCommand,
  DynamoDBClient,
  PutItemCommand,
  DeleteTableCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { beforeAll, describe, expect, it } from 'vitest';
import { allowing, LOCAL_ACCOUNT, refusals, roleSession } from '../support/iam.js';
import { deployFunction, invokeJson } from '../support/lambdaZip.js';
import { IN_REGION, TEST_ENV, useLocalAws } from '../support/localAws.js';
import { groupMessages } from '../support/logs.js';

const local = useLocalAws();
const REGION = TEST_ENV.AWS_REGION;
const TABLE_ARN = `arn:aws:dynamodb:${REGION}:${LOCAL_ACCOUNT}:table/role-table`;
let iam: IAMClient;
let session: AwsCredentialIdentity;
let sessionArn: string;

beforeAll(async () => {
  iam = new IAMClient({ maxAttempts: 1, region: 'us-east-1' });
  await new DynamoDBClient({ maxAttempts: 1 }).send(
    new CreateTableCommand({
      TableName: 'role-table',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  // A new table is CREATING for a moment, as in AWS: wait until it is ACTIVE.
  await waitUntilTableExists(
    { client: new DynamoDBClient({ maxAttempts: 1 }), maxWaitTime: 60, minDelay: 1 },
    { TableName: 'role-table' },
  );
  await new S3Client({ forcePathStyle: true }).send(
    new CreateBucketCommand({ Bucket: 'role-bucket', ...IN_REGION }),
  );
  session = await roleSession('table-writer', allowing(['dynamodb:PutItem'], [TABLE_ARN]), {
    iam,
    sts: new STSClient({ maxAttempts: 1 }),
  });
  sessionArn = `arn:aws:sts::${LOCAL_ACCOUNT}:assumed-role/table-writer/test`;
});

describe("calls made with a role's credentials", () => {
  it('succeed where the role’s policy allows them', async () => {
    const dynamodb = new DynamoDBClient({ maxAttempts: 1, credentials: session });

    const answer = await dynamodb.send(
      new PutItemCommand({ TableName: 'role-table', Item: { id: { S: 'a' } } }),
    );

    expect(answer.$metadata.httpStatusCode).toBe(200);
  });

  it("fail elsewhere in DynamoDB with AccessDeniedException, in AWS's words", async () => {
    const dynamodb = new DynamoDBClient({ maxAttempts: 1, credentials: session });

    await expect(
      dynamodb.send(new DeleteTableCommand({ TableName: 'role-table' })),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: `User: ${sessionArn} is not authorized to perform: dynamodb:DeleteTable on resource: ${TABLE_ARN} because no identity-based policy allows the dynamodb:DeleteTable action`,
    });
  });

  it('fail in S3 with AccessDenied and in SNS with AuthorizationError', async () => {
    const s3 = new S3Client({ maxAttempts: 1, forcePathStyle: true, credentials: session });
    const sns = new SNSClient({ maxAttempts: 1, credentials: session });
    const { TopicArn } = await new SNSClient({}).send(
      new CreateTopicCommand({ Name: 'role-topic' }),
    );

    await expect(
      s3.send(new GetObjectCommand({ Bucket: 'role-bucket', Key: 'k' })),
    ).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    await expect(sns.send(new PublishCommand({ TopicArn, Message: 'm' }))).rejects.toMatchObject({
      name: 'AuthorizationErrorException',
    });
  });

  it('are listed at /_local/iam/decisions when refused, with the reason', async () => {
    const listed = await refusals(local.endpoint());

    expect(listed).toContainEqual(
      expect.objectContaining({
        principal: sessionArn,
        action: 'dynamodb:DeleteTable',
        resource: TABLE_ARN,
        reason: 'no statement of identity policies inline allows it',
      }),
    );
  });
});

/** A handler that calls UpdateItem with its own credentials, signed as the SDK signs. */
const UPDATE_ITEM = `export const handler = async () => {
  const env = process.env;
  const response = await fetch(env.AWS_ENDPOINT_URL, {
    method: 'POST',
    headers: {
      authorization: 'AWS4-HMAC-SHA256 Credential=' + env.AWS_ACCESS_KEY_ID + '/20260101/' + env.AWS_REGION + '/dynamodb/aws4_request, SignedHeaders=host, Signature=x',
      'x-amz-security-token': env.AWS_SESSION_TOKEN,
      'x-amz-date': '20260101T000000Z',
      'x-amz-target': 'DynamoDB_20120810.UpdateItem',
      'content-type': 'application/x-amz-json-1.0',
    },
    body: JSON.stringify({ TableName: 'role-table', Key: { id: { S: 'a' } }, UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': { N: '1' } } }),
  });
  const body = await response.json();
  if (!response.ok) throw Object.assign(new Error(body.message), { name: body.__type });
  console.log('updated');
  return response.status;
};`;

/** Creates an execution role Lambda may assume, with one inline policy. */
async function executionRole(name: string, policy: string): Promise<string> {
  await iam.send(
    new CreateRoleCommand({
      RoleName: name,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'lambda.amazonaws.com' },
            Action: 'sts:AssumeRole',
          },
        ],
      }),
    }),
  );
  await iam.send(
    new PutRolePolicyCommand({ RoleName: name, PolicyName: 'inline', PolicyDocument: policy }),
  );
  return `arn:aws:iam::${LOCAL_ACCOUNT}:role/${name}`;
}

const groupOf = (group: string) => `arn:aws:logs:${REGION}:${LOCAL_ACCOUNT}:log-group:${group}`;
const logsOf = (group: string) =>
  `arn:aws:logs:${REGION}:${LOCAL_ACCOUNT}:log-group:${group}:log-stream:*`;

describe('a Lambda function acting with its execution role', () => {
  let lambda: LambdaClient;
  let logs: CloudWatchLogsClient;
  beforeAll(() => {
    lambda = new LambdaClient({ maxAttempts: 1 });
    logs = new CloudWatchLogsClient({ maxAttempts: 1 });
  });

  it('makes the calls its role allows, and writes its logs', async () => {
    const role = await executionRole(
      'updater-role',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'dynamodb:UpdateItem', Resource: TABLE_ARN },
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: [groupOf('/aws/lambda/updater'), logsOf('/aws/lambda/updater')],
          },
        ],
      }),
    );
    await deployFunction(lambda, 'updater', UPDATE_ITEM, { Role: role });

    const result = await invokeJson(lambda, 'updater');

    expect(result.FunctionError).toBeUndefined();
    expect(result.body).toBe(200);
    expect((await groupMessages(logs, '/aws/lambda/updater')).join('\n')).toContain('updated');
  });

  it('fails a call its role lacks dynamodb:UpdateItem for', async () => {
    const role = await executionRole(
      'reader-role',
      allowing(['dynamodb:GetItem', 'logs:*'], [TABLE_ARN, logsOf('/aws/lambda/reader')]),
    );
    await deployFunction(lambda, 'reader', UPDATE_ITEM, { Role: role });

    const result = await invokeJson(lambda, 'reader');

    expect(result.FunctionError).toBe('Unhandled');
    expect(result.body).toMatchObject({
      errorType: 'AccessDeniedException',
      errorMessage: expect.stringContaining(
        'assumed-role/reader-role/reader is not authorized to perform: dynamodb:UpdateItem',
      ),
    });
  });

  it('writes no logs when its role lacks logs permissions, and local AWS records why', async () => {
    const role = await executionRole('mute-role', allowing(['dynamodb:UpdateItem'], [TABLE_ARN]));
    await deployFunction(lambda, 'mute', UPDATE_ITEM, { Role: role });

    const result = await invokeJson(lambda, 'mute');

    expect(result.body).toBe(200);
    await expect(groupMessages(logs, '/aws/lambda/mute')).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    expect(await refusals(local.endpoint())).toContainEqual(
      expect.objectContaining({
        principal: `arn:aws:sts::${LOCAL_ACCOUNT}:assumed-role/mute-role/mute`,
        action: 'logs:CreateLogGroup',
      }),
    );
  });
});
