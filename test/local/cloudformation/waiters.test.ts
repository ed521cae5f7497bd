import {
  CreateChangeSetCommand,
  CreateStackCommand,
  DeleteStackCommand,
  ExecuteChangeSetCommand,
  waitUntilChangeSetCreateComplete,
  waitUntilStackCreateComplete,
  waitUntilStackDeleteComplete,
  waitUntilStackUpdateComplete,
} from '@aws-sdk/client-cloudformation';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { beforeAll, describe, expect, it } from 'vitest';
import { cloudFormationClient } from '../../support/cloudFormation.js';
import { useLocalAws } from '../../support/localAws.js';

useLocalAws();
let cfn: CloudFormationClient;

beforeAll(() => {
  cfn = cloudFormationClient();
});

const topic = (name: string) =>
  `Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: ${name}\n`;

// The SDK's own waiters decide from DescribeStacks and DescribeChangeSet alone.
describe("the JavaScript SDK's CloudFormation waiters", () => {
  const waiter = () => ({ client: cfn, maxWaitTime: 20, minDelay: 1, maxDelay: 1 });

  it('see a stack created, a change set ready, the update done and the stack deleted', async () => {
    await cfn.send(
      new CreateStackCommand({ StackName: 'waited', TemplateBody: topic('waited-1') }),
    );
    const created = await waitUntilStackCreateComplete(waiter(), { StackName: 'waited' });

    await cfn.send(
      new CreateChangeSetCommand({
        StackName: 'waited',
        ChangeSetName: 'rename',
        TemplateBody: topic('waited-2'),
      }),
    );
    const ready = await waitUntilChangeSetCreateComplete(waiter(), {
      StackName: 'waited',
      ChangeSetName: 'rename',
    });
    await cfn.send(new ExecuteChangeSetCommand({ StackName: 'waited', ChangeSetName: 'rename' }));
    const updated = await waitUntilStackUpdateComplete(waiter(), { StackName: 'waited' });
    await cfn.send(new DeleteStackCommand({ StackName: 'waited' }));
    const deleted = await waitUntilStackDeleteComplete(waiter(), { StackName: 'waited' });

    expect([created.state, ready.state, updated.state, deleted.state]).toEqual([
      'SUCCESS',
      'SUCCESS',
      'SUCCESS',
      'SUCCESS',
    ]);
  });

  it('reports a failed create as a failure', async () => {
    await cfn.send(
      new CreateStackCommand({
        StackName: 'waited-failure',
        TemplateBody:
          'Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\n',
      }),
    );

    await expect(
      waitUntilStackCreateComplete(waiter(), { StackName: 'waited-failure' }),
    ).rejects.toThrow(/FAILURE/);
  });
});
