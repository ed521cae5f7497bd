import {
  DescribeStacksCommand,
  GetTemplateCommand,
  ListChangeSetsCommand,
} from '@aws-sdk/client-cloudformation';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatPreview, previewChangeSet } from '../../lib/preview.js';
import { cloudFormationClient, createStack } from '../support/cloudFormation.js';
import { useLocalAws } from '../support/localAws.js';

useLocalAws();
const STACK = 'DEPREVIEW-streaming-pipeline';

/** A small stack of the same shape as the pipeline's: names from parameters. */
const template = (queues: Record<string, number>) =>
  [
    'Parameters:',
    '  NamePrefix:',
    '    Type: String',
    'Resources:',
    ...Object.entries(queues).flatMap(([id, retention]) => [
      `  ${id}:`,
      '    Type: AWS::SQS::Queue',
      '    Properties:',
      `      QueueName: !Sub \${NamePrefix}-${id.toLowerCase()}`,
      `      MessageRetentionPeriod: ${retention}`,
    ]),
  ].join('\n');

const DEPLOYED = template({ AlertQueue: 345600 });

beforeAll(async () => {
  await createStack(cloudFormationClient(), STACK, DEPLOYED, {
    parameters: { NamePrefix: 'DEPREVIEW' },
  });
});

const preview = (templateBody: string, changeSetName: string) =>
  previewChangeSet(cloudFormationClient(), {
    stackName: STACK,
    templateBody,
    parameters: { NamePrefix: 'DEPREVIEW' },
    changeSetName,
    pollMs: 50,
  });

describe('previewChangeSet against local CloudFormation', () => {
  it('lists what an update would add and modify', async () => {
    const result = await preview(
      template({ AlertQueue: 86400, DrillQueue: 345600 }),
      'preview-changes',
    );
    expect(result.status).toBe('changes');
    const changes = result.status === 'changes' ? result.changes : [];
    expect(changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: 'Modify',
          logicalId: 'AlertQueue',
          type: 'AWS::SQS::Queue',
        }),
        expect.objectContaining({
          action: 'Add',
          logicalId: 'DrillQueue',
          type: 'AWS::SQS::Queue',
        }),
      ]),
    );
    expect(formatPreview(result)).toContain('| Add | DrillQueue | AWS::SQS::Queue |');
  });

  it('leaves no change set behind and changes nothing', async () => {
    const client = cloudFormationClient();
    await preview(template({ AlertQueue: 60 }), 'preview-nothing-left');
    const { Summaries } = await client.send(new ListChangeSetsCommand({ StackName: STACK }));
    expect(Summaries ?? []).toEqual([]);
    const { TemplateBody } = await client.send(new GetTemplateCommand({ StackName: STACK }));
    expect(TemplateBody).toBe(DEPLOYED);
    const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: STACK }));
    expect(Stacks![0]!.StackStatus).toBe('CREATE_COMPLETE');
    await expect(
      new SQSClient({}).send(new GetQueueUrlCommand({ QueueName: 'DEPREVIEW-drillqueue' })),
    ).rejects.toMatchObject({ name: expect.stringMatching(/NonExistentQueue|QueueDoesNotExist/) });
  });

  it("passes on CloudFormation's reason when the template changes nothing", async () => {
    const result = await preview(DEPLOYED, 'preview-same');
    expect(result).toEqual({
      status: 'not-created',
      stackName: STACK,
      reason: expect.stringContaining("didn't contain changes"),
    });
  });

  it('says a stack that is not deployed yet has nothing to compare with', async () => {
    const result = await previewChangeSet(cloudFormationClient(), {
      stackName: 'DENOTYET-streaming-pipeline',
      templateBody: DEPLOYED,
      parameters: { NamePrefix: 'DENOTYET' },
      changeSetName: 'preview-none',
    });
    expect(result).toEqual({ status: 'no-stack', stackName: 'DENOTYET-streaming-pipeline' });
  });
});
