import { DeleteStackCommand, UpdateStackCommand } from '@aws-sdk/client-cloudformation';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import {
  GetOpenIDConnectProviderCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  cloudFormationClient,
  createStack,
  parameters,
  settled,
} from '../../support/cloudFormation.js';
import { useLocalAws } from '../../support/localAws.js';

useLocalAws();
let cfn: CloudFormationClient;
let iam: IAMClient;
let sqs: SQSClient;

beforeAll(() => {
  cfn = cloudFormationClient();
  iam = new IAMClient({ maxAttempts: 1 });
  sqs = new SQSClient({ maxAttempts: 1 });
});

/** A role with an inline and a managed policy, an extra inline policy, a GitHub OIDC provider, a queue and its policy. */
const TEMPLATE = `Parameters:
  Action:
    Type: String
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: cfn-queue
      VisibilityTimeout: 45
  QueuePolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref Queue]
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: {Service: sns.amazonaws.com}
            Action: sqs:SendMessage
            Resource: !GetAtt Queue.Arn
  Managed:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      ManagedPolicyName: cfn-read-queue
      PolicyDocument:
        Version: '2012-10-17'
        Statement: [{Effect: Allow, Action: sqs:ReceiveMessage, Resource: !GetAtt Queue.Arn}]
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: cfn-worker
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]
      ManagedPolicyArns: [!Ref Managed]
      Policies:
        - PolicyName: send
          PolicyDocument:
            Version: '2012-10-17'
            Statement: [{Effect: Allow, Action: !Ref Action, Resource: !GetAtt Queue.Arn}]
  Extra:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: extra
      Roles: [!Ref Role]
      PolicyDocument:
        Version: '2012-10-17'
        Statement: [{Effect: Allow, Action: sqs:GetQueueUrl, Resource: '*'}]
  GitHub:
    Type: AWS::IAM::OIDCProvider
    Properties:
      Url: https://token.actions.githubusercontent.com
      ClientIdList: [sts.amazonaws.com]
Outputs:
  RoleArn:
    Value: !GetAtt Role.Arn
  QueueUrl:
    Value: !Ref Queue
  Provider:
    Value: !Ref GitHub
`;

async function inlineAction(policy: string): Promise<unknown> {
  const { PolicyDocument } = await iam.send(
    new GetRolePolicyCommand({ RoleName: 'cfn-worker', PolicyName: policy }),
  );
  return JSON.parse(decodeURIComponent(PolicyDocument!)).Statement[0].Action;
}

describe('IAM and SQS resources', () => {
  it('creates the role with its policies, the OIDC provider, and the queue with its policy', async () => {
    const stack = await createStack(cfn, 'iam-stack', TEMPLATE, {
      parameters: { Action: 'sqs:SendMessage' },
      capabilities: ['CAPABILITY_NAMED_IAM'],
    });

    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    const outputs = Object.fromEntries(stack.Outputs!.map((o) => [o.OutputKey, o.OutputValue]));
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: 'cfn-worker' }));
    expect(outputs.RoleArn).toBe(Role!.Arn);
    expect(await inlineAction('send')).toBe('sqs:SendMessage');
    expect(await inlineAction('extra')).toBe('sqs:GetQueueUrl');
    const { AttachedPolicies } = await iam.send(
      new ListAttachedRolePoliciesCommand({ RoleName: 'cfn-worker' }),
    );
    expect(AttachedPolicies?.map((p) => p.PolicyName)).toEqual(['cfn-read-queue']);
    const provider = await iam.send(
      new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: outputs.Provider }),
    );
    expect(provider.ClientIDList).toEqual(['sts.amazonaws.com']);
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: outputs.QueueUrl, AttributeNames: ['All'] }),
    );
    expect(Attributes?.VisibilityTimeout).toBe('45');
    expect(JSON.parse(Attributes!.Policy!).Statement[0].Action).toBe('sqs:SendMessage');
  });

  it('updates an inline policy in place', async () => {
    await cfn.send(
      new UpdateStackCommand({
        StackName: 'iam-stack',
        UsePreviousTemplate: true,
        Parameters: parameters({ Action: 'sqs:SendMessageBatch' }),
        Capabilities: ['CAPABILITY_NAMED_IAM'],
      }),
    );

    expect((await settled(cfn, 'iam-stack')).StackStatus).toBe('UPDATE_COMPLETE');
    expect(await inlineAction('send')).toBe('sqs:SendMessageBatch');
  });

  it('deletes the role with its policies, and the rest', async () => {
    const { StackId } = await settled(cfn, 'iam-stack');

    await cfn.send(new DeleteStackCommand({ StackName: 'iam-stack' }));

    expect((await settled(cfn, StackId!)).StackStatus).toBe('DELETE_COMPLETE');
    await expect(iam.send(new GetRoleCommand({ RoleName: 'cfn-worker' }))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
    });
  });
});
