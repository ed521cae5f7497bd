import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  GetTemplateCommand,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { StackStateError, StepError, ThrottledError } from '../../../lib/steps/errors.js';
import { recordingReporter } from '../../../lib/steps/report.js';
import type { Clock } from '../../../lib/steps/report.js';
import { deployStack } from '../../../lib/steps/stacks.js';
import type { StackContext, StackDeployment } from '../../../lib/steps/stacks.js';

const cfnMock = mockClient(CloudFormationClient);
const cloudFormation = new CloudFormationClient({ region: 'eu-west-1' });
const STACK_ID = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/S/1';

afterEach(() => cfnMock.reset());

function fakeClock(): Clock {
  let now = 1_000_000;
  return { now: () => now, sleep: async (ms) => void (now += ms) };
}

function context(): StackContext & { reporter: ReturnType<typeof recordingReporter> } {
  const clock = fakeClock();
  return {
    reporter: recordingReporter(),
    clock,
    deadline: clock.now() + 600_000,
    retry: { clock, baseDelayMs: 10 },
  };
}

const DEPLOYMENT: StackDeployment = {
  stackName: 'S',
  templateBody: 'Resources: {}',
  parameters: [{ ParameterKey: 'P', ParameterValue: 'v' }],
};

function stack(StackStatus: string) {
  return {
    Stacks: [
      {
        StackName: 'S',
        StackId: STACK_ID,
        StackStatus: StackStatus as never,
        CreationTime: new Date(),
        Parameters: [{ ParameterKey: 'P', ParameterValue: 'v' }],
        Outputs: [{ OutputKey: 'BucketName', OutputValue: 'b' }],
      },
    ],
  };
}

function awsError(name: string): Error {
  return Object.assign(new Error(name), { name, $metadata: {} });
}

describe('deployStack', () => {
  it('stops on UPDATE_ROLLBACK_FAILED with the command that continues the rollback', async () => {
    cfnMock.on(DescribeStacksCommand).resolves(stack('UPDATE_ROLLBACK_FAILED'));

    const deploying = deployStack(cloudFormation, DEPLOYMENT, context());

    await expect(deploying).rejects.toBeInstanceOf(StackStateError);
    await expect(deployStack(cloudFormation, DEPLOYMENT, context())).rejects.toThrow(
      /continue-update-rollback --stack-name S/,
    );
    expect(cfnMock.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
  });

  it('treats a FAILED change set with no changes on an unchanged stack as success, and deletes it', async () => {
    cfnMock.on(DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE'));
    cfnMock.on(CreateChangeSetCommand).resolves({ Id: 'cs-1' });
    cfnMock.on(DescribeChangeSetCommand).resolves({ Status: 'FAILED', Changes: [] });
    cfnMock.on(GetTemplateCommand).resolves({ TemplateBody: DEPLOYMENT.templateBody });

    const result = await deployStack(cloudFormation, DEPLOYMENT, context());

    expect(result).toEqual({
      stackName: 'S',
      changed: false,
      status: 'UPDATE_COMPLETE',
      outputs: { BucketName: 'b' },
    });
    expect(cfnMock.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
    expect(cfnMock.commandCalls(ExecuteChangeSetCommand)).toHaveLength(0);
  });

  it('reports the reason of a FAILED change set when the stack does differ', async () => {
    cfnMock.on(DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE'));
    cfnMock.on(CreateChangeSetCommand).resolves({ Id: 'cs-1' });
    cfnMock
      .on(DescribeChangeSetCommand)
      .resolves({ Status: 'FAILED', StatusReason: 'Template error: bad ref', Changes: [] });
    cfnMock.on(GetTemplateCommand).resolves({ TemplateBody: 'Resources: {Other: {}}' });

    const deploying = deployStack(cloudFormation, DEPLOYMENT, context());

    await expect(deploying).rejects.toThrow(
      /could not create the change set for S: Template error: bad ref/,
    );
  });

  it('names each resource that failed and its reason when the update rolls back', async () => {
    cfnMock
      .on(DescribeStacksCommand)
      .resolvesOnce(stack('UPDATE_COMPLETE'))
      .resolvesOnce(stack('UPDATE_COMPLETE'))
      .resolvesOnce(stack('UPDATE_IN_PROGRESS'))
      .resolves(stack('UPDATE_ROLLBACK_COMPLETE'));
    cfnMock.on(CreateChangeSetCommand).resolves({ Id: 'cs-1' });
    cfnMock.on(DescribeChangeSetCommand).resolves({
      Status: 'CREATE_COMPLETE',
      Changes: [
        {
          ResourceChange: {
            Action: 'Modify',
            LogicalResourceId: 'Table',
            ResourceType: 'AWS::DynamoDB::Table',
            Replacement: 'True',
          },
        },
      ],
    });
    cfnMock
      .on(DescribeStackEventsCommand)
      .resolvesOnce({ StackEvents: [] })
      .resolves({
        StackEvents: [
          {
            EventId: 'e1',
            StackId: STACK_ID,
            StackName: 'S',
            Timestamp: new Date(),
            LogicalResourceId: 'Table',
            ResourceType: 'AWS::DynamoDB::Table',
            ResourceStatus: 'UPDATE_FAILED',
            ResourceStatusReason: 'Table already exists',
          },
        ],
      });
    const ctx = context();

    const deploying = deployStack(cloudFormation, DEPLOYMENT, ctx);

    await expect(deploying).rejects.toBeInstanceOf(StepError);
    await expect(deploying).rejects.toThrow(
      /UPDATE_ROLLBACK_COMPLETE\): Table \(AWS::DynamoDB::Table\) UPDATE_FAILED: Table already exists/,
    );
    expect(ctx.reporter.markdown.join('\n')).toContain(
      '| Modify | Table | AWS::DynamoDB::Table | True |',
    );
    expect(ctx.reporter.lines.join('\n')).toMatch(/UPDATE_FAILED {2}Table/);
  });

  it('retries a throttled DescribeStacks and gives up with its own error when it persists', async () => {
    cfnMock.on(DescribeStacksCommand).rejects(awsError('Throttling'));

    const deploying = deployStack(cloudFormation, DEPLOYMENT, context());

    await expect(deploying).rejects.toBeInstanceOf(ThrottledError);
    expect(cfnMock.commandCalls(DescribeStacksCommand).length).toBeGreaterThan(1);
  });

  it('deletes a stack left in ROLLBACK_COMPLETE and creates it again, saying so', async () => {
    cfnMock
      .on(DescribeStacksCommand)
      .resolvesOnce(stack('ROLLBACK_COMPLETE'))
      .resolvesOnce(stack('ROLLBACK_COMPLETE'))
      .resolvesOnce(stack('DELETE_COMPLETE'))
      .resolves(stack('CREATE_COMPLETE'));
    cfnMock.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    cfnMock.on(CreateChangeSetCommand).resolves({ Id: 'cs-1' });
    cfnMock.on(DescribeChangeSetCommand).resolves({ Status: 'CREATE_COMPLETE', Changes: [] });
    const ctx = context();

    const result = await deployStack(cloudFormation, DEPLOYMENT, ctx);

    expect(cfnMock.commandCalls(DeleteStackCommand)).toHaveLength(1);
    expect(cfnMock.commandCalls(CreateChangeSetCommand)[0]?.args[0].input.ChangeSetType).toBe(
      'CREATE',
    );
    expect(ctx.reporter.warnings.join('\n')).toMatch(
      /ROLLBACK_COMPLETE.*deleted and created again/,
    );
    expect(result.status).toBe('CREATE_COMPLETE');
  });
});
