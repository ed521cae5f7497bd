import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { formatPreview, previewChangeSet, PreviewTimeoutError } from '../../lib/preview.js';
import type { PreviewChange, PreviewOptions } from '../../lib/preview.js';

// Failure modes local CloudFormation does not produce (throttling, a change set never ready);
// previewLocal.test.ts runs the same steps against local CloudFormation.
const cloudFormation = mockClient(CloudFormationClient);
const client = new CloudFormationClient({ region: 'eu-west-1' });
const STACK = 'DEKYLMAP-streaming-pipeline';
const sleeps: number[] = [];
const options: PreviewOptions = {
  stackName: STACK,
  templateBody: 'Resources: {}',
  parameters: { NamePrefix: 'DEKYLMAP' },
  changeSetName: 'preview-42',
  sleep: async (ms) => {
    sleeps.push(ms);
  },
  pollMs: 1000,
  maxPolls: 3,
};

const validationError = (message: string) =>
  Object.assign(new Error(message), { name: 'ValidationError' });

const modifyTable = {
  Type: 'Resource' as const,
  ResourceChange: {
    Action: 'Modify' as const,
    LogicalResourceId: 'TickerTable',
    ResourceType: 'AWS::DynamoDB::Table',
    Replacement: 'True' as const,
    Scope: ['Properties' as const],
  },
};
const addQueue = {
  Type: 'Resource' as const,
  ResourceChange: {
    Action: 'Add' as const,
    LogicalResourceId: 'AlertQueue',
    ResourceType: 'AWS::SQS::Queue',
    Scope: [],
  },
};

/** The two changes above as the preview reports them. */
const PREVIEWED: PreviewChange[] = [
  {
    action: 'Modify',
    logicalId: 'TickerTable',
    type: 'AWS::DynamoDB::Table',
    replacement: 'True',
    scope: ['Properties'],
  },
  { action: 'Add', logicalId: 'AlertQueue', type: 'AWS::SQS::Queue', scope: [] },
];

beforeEach(() => {
  cloudFormation.reset();
  sleeps.length = 0;
  cloudFormation.on(DescribeStacksCommand).resolves({
    Stacks: [{ StackName: STACK, StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date() }],
  });
  cloudFormation.on(CreateChangeSetCommand).resolves({ Id: 'arn:changeset' });
  cloudFormation.on(DeleteChangeSetCommand).resolves({});
});

describe('previewChangeSet', () => {
  it('creates an UPDATE change set with the template, parameters and named IAM capability', async () => {
    cloudFormation
      .on(DescribeChangeSetCommand)
      .resolves({ Status: 'CREATE_COMPLETE', Changes: [] });
    await previewChangeSet(client, options);
    expect(cloudFormation.commandCalls(CreateChangeSetCommand)[0]!.args[0].input).toMatchObject({
      StackName: STACK,
      ChangeSetName: 'preview-42',
      ChangeSetType: 'UPDATE',
      TemplateBody: 'Resources: {}',
      Parameters: [{ ParameterKey: 'NamePrefix', ParameterValue: 'DEKYLMAP' }],
      Capabilities: ['CAPABILITY_NAMED_IAM'],
    });
  });

  it('waits until the change set is ready, then returns every change across pages', async () => {
    cloudFormation
      .on(DescribeChangeSetCommand)
      .resolvesOnce({ Status: 'CREATE_IN_PROGRESS' })
      .resolvesOnce({ Status: 'CREATE_COMPLETE', Changes: [modifyTable], NextToken: 'page-2' })
      .resolvesOnce({ Status: 'CREATE_COMPLETE', Changes: [addQueue] });
    const result = await previewChangeSet(client, options);
    expect(sleeps).toEqual([1000]);
    expect(result).toEqual({
      status: 'changes',
      stackName: STACK,
      changes: PREVIEWED,
    });
    expect(cloudFormation.commandCalls(DescribeChangeSetCommand)[2]!.args[0].input.NextToken).toBe(
      'page-2',
    );
  });

  it('deletes the change set afterwards and never executes it', async () => {
    cloudFormation
      .on(DescribeChangeSetCommand)
      .resolves({ Status: 'CREATE_COMPLETE', Changes: [] });
    await previewChangeSet(client, options);
    expect(cloudFormation.commandCalls(DeleteChangeSetCommand)[0]!.args[0].input).toEqual({
      StackName: STACK,
      ChangeSetName: 'preview-42',
    });
    const names = cloudFormation.calls().map((call) => call.args[0].constructor.name);
    expect(names).not.toContain('ExecuteChangeSetCommand');
  });

  it("reports CloudFormation's reason when it creates no change set, and deletes it", async () => {
    cloudFormation.on(DescribeChangeSetCommand).resolves({
      Status: 'FAILED',
      StatusReason: "The submitted information didn't contain changes.",
    });
    const result = await previewChangeSet(client, options);
    expect(result).toEqual({
      status: 'not-created',
      stackName: STACK,
      reason: "The submitted information didn't contain changes.",
    });
    expect(cloudFormation.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
  });

  it('gives up after maxPolls with a typed error, still deleting the change set', async () => {
    cloudFormation.on(DescribeChangeSetCommand).resolves({ Status: 'CREATE_PENDING' });
    await expect(previewChangeSet(client, options)).rejects.toThrow(PreviewTimeoutError);
    expect(sleeps).toEqual([1000, 1000, 1000]);
    expect(cloudFormation.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
  });

  it('deletes the change set when reading it fails, and passes the failure on', async () => {
    cloudFormation
      .on(DescribeChangeSetCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    await expect(previewChangeSet(client, options)).rejects.toMatchObject({ name: 'Throttling' });
    expect(cloudFormation.commandCalls(DeleteChangeSetCommand)).toHaveLength(1);
  });

  it('creates nothing when the stack is not deployed yet', async () => {
    cloudFormation
      .on(DescribeStacksCommand)
      .rejects(validationError(`Stack with id ${STACK} does not exist`));
    expect(await previewChangeSet(client, options)).toEqual({
      status: 'no-stack',
      stackName: STACK,
    });
    expect(cloudFormation.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
  });

  it('treats a stack that a change set created but nobody executed as not deployed', async () => {
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackName: STACK, StackStatus: 'REVIEW_IN_PROGRESS', CreationTime: new Date() }],
    });
    expect((await previewChangeSet(client, options)).status).toBe('no-stack');
  });

  it('passes on an error other than a missing stack', async () => {
    cloudFormation
      .on(DescribeStacksCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    await expect(previewChangeSet(client, options)).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});

describe('formatPreview', () => {
  it('tables the changes and warns about replacements', () => {
    const text = formatPreview({
      status: 'changes',
      stackName: STACK,
      changes: PREVIEWED,
    });
    expect(text).toContain(`### Change-set preview: ${STACK}`);
    expect(text).toContain('Merging would change 2 resource(s), replacing 1');
    expect(text).toContain('| Modify | TickerTable | AWS::DynamoDB::Table | True | Properties |');
    expect(text).toContain('| Add | AlertQueue | AWS::SQS::Queue |  |  |');
  });

  it('says when the stack is not deployed yet', () => {
    expect(formatPreview({ status: 'no-stack', stackName: STACK })).toContain(
      'merging deploys it for the first time',
    );
  });
});
