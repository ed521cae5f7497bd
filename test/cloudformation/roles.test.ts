import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/load.js';
import { deriveNames } from '../../lib/config/names.js';
import { evaluateAccess } from '../../lib/iam/evaluate.js';
import { pipelineParameters } from '../../lib/templates/parameters.js';
import { readTemplate } from '../../lib/templates/parse.js';
import { rolesOf, sessionOf } from '../../lib/templates/permissions.js';
import type { TemplateRole } from '../../lib/templates/permissions.js';
import { createResolver } from '../../lib/templates/resolve.js';
import type { Resolver } from '../../lib/templates/resolve.js';
import { documentedResourceValues } from '../../lib/templates/resourceValues.js';

const ACCOUNT = '123456789012';
const arn = (service: string, rest: string) => `arn:aws:${service}:eu-west-1:${ACCOUNT}:${rest}`;
let resolver: Resolver;
let roles: Map<string, TemplateRole>;

beforeAll(async () => {
  const config = await loadConfig('pipeline.config.json');
  const template = await readTemplate('cloudformation/pipeline.yaml');
  resolver = createResolver(template, {
    parameters: pipelineParameters(config, deriveNames(config), {
      streaming: 'functions/streaming-0000000000000000.zip',
      notification: 'functions/notification-0000000000000000.zip',
    }),
    pseudo: {
      accountId: ACCOUNT,
      region: 'eu-west-1',
      partition: 'aws',
      stackName: 'DEKYLMAP-streaming-pipeline',
    },
    resources: documentedResourceValues(),
  });
  roles = rolesOf(resolver, template, []);
});

/** Whether the role (by logical id) may make the call, by its own policies alone. */
async function allows(roleId: string, action: string, resource: string): Promise<boolean> {
  const role = roles.get(String(resolver.getAtt(roleId, 'Arn')))!;
  const decision = await evaluateAccess(
    { identityPolicies: role.policies },
    { principal: sessionOf(role, ACCOUNT, 'aws'), action, resource, resourceAccount: ACCOUNT },
  );
  return decision.allowed;
}

describe('the pipeline roles allow nothing beyond what is called', () => {
  it('the streaming role cannot delete its table or write to another one', async () => {
    const table = String(resolver.getAtt('TickerTable', 'Arn'));
    expect(await allows('StreamingFunctionRole', 'dynamodb:UpdateItem', table)).toBe(true);
    expect(await allows('StreamingFunctionRole', 'dynamodb:DeleteTable', table)).toBe(false);
    expect(await allows('StreamingFunctionRole', 'dynamodb:DeleteItem', table)).toBe(false);
    expect(
      await allows('StreamingFunctionRole', 'dynamodb:UpdateItem', arn('dynamodb', 'table/other')),
    ).toBe(false);
  });

  it('the streaming role cannot deliver to another stream, invoke itself or write other logs', async () => {
    expect(
      await allows(
        'StreamingFunctionRole',
        'firehose:PutRecordBatch',
        arn('firehose', 'deliverystream/other'),
      ),
    ).toBe(false);
    expect(
      await allows(
        'StreamingFunctionRole',
        'lambda:InvokeFunction',
        String(resolver.getAtt('StreamingFunction', 'Arn')),
      ),
    ).toBe(false);
    const notificationLogs = `${String(resolver.getAtt('NotificationLogGroup', 'Arn')).slice(0, -2)}:log-stream:x`;
    expect(await allows('StreamingFunctionRole', 'logs:PutLogEvents', notificationLogs)).toBe(
      false,
    );
  });

  it('the notification role publishes to its topic only', async () => {
    expect(await allows('NotificationFunctionRole', 'sns:Publish', arn('sns', 'other-topic'))).toBe(
      false,
    );
    expect(
      await allows('NotificationFunctionRole', 'sns:Subscribe', String(resolver.ref('AlertTopic'))),
    ).toBe(false);
  });

  it('the delivery role cannot delete objects or write to another bucket', async () => {
    const bucket = String(resolver.getAtt('DataBucket', 'Arn'));
    expect(await allows('DeliveryStreamRole', 's3:DeleteObject', `${bucket}/tickers/x`)).toBe(
      false,
    );
    expect(await allows('DeliveryStreamRole', 's3:PutBucketPolicy', bucket)).toBe(false);
    expect(await allows('DeliveryStreamRole', 's3:PutObject', 'arn:aws:s3:::other-bucket/x')).toBe(
      false,
    );
  });

  it('the schedule role invokes the streaming function only', async () => {
    expect(
      await allows(
        'SchedulerRole',
        'lambda:InvokeFunction',
        String(resolver.getAtt('NotificationFunction', 'Arn')),
      ),
    ).toBe(false);
  });
});
