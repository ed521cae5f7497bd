import { DeleteStackCommand, UpdateStackCommand } from '@aws-sdk/client-cloudformation';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  GetFunctionCommand,
  GetFunctionEventInvokeConfigCommand,
  GetPolicyCommand,
  InvokeCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
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
let lambda: LambdaClient;
let logs: CloudWatchLogsClient;

beforeAll(() => {
  cfn = cloudFormationClient();
  lambda = new LambdaClient({ maxAttempts: 1 });
  logs = new CloudWatchLogsClient({ maxAttempts: 1 });
});

/** A function from inline code that answers with its GREETING, its log group and what it may do. */
const TEMPLATE = `Parameters:
  Greeting:
    Type: String
Resources:
  Logs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: /cfn/hello
      RetentionInDays: 7
  Stream:
    Type: AWS::Logs::LogStream
    Properties:
      LogGroupName: !Ref Logs
      LogStreamName: audit
  Alerts:
    Type: AWS::SNS::Topic
  Hello:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: cfn-hello
      Runtime: nodejs22.x
      Handler: index.handler
      Timeout: 5
      Role: arn:aws:iam::000000000000:role/cfn-hello
      LoggingConfig:
        LogGroup: !Ref Logs
      Environment:
        Variables:
          GREETING: !Ref Greeting
      Code:
        ZipFile: |
          exports.handler = async (event) => ({ greeting: process.env.GREETING, name: event.name });
  HelloInvokeConfig:
    Type: AWS::Lambda::EventInvokeConfig
    Properties:
      FunctionName: !Ref Hello
      Qualifier: $LATEST
      MaximumRetryAttempts: 0
      DestinationConfig:
        OnFailure:
          Destination: !Ref Alerts
  HelloPermission:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !GetAtt Hello.Arn
      Action: lambda:InvokeFunction
      Principal: sns.amazonaws.com
      SourceArn: !Ref Alerts
Outputs:
  Arn:
    Value: !GetAtt Hello.Arn
  LogGroupArn:
    Value: !GetAtt Logs.Arn
`;

async function invoke(): Promise<unknown> {
  const { Payload } = await lambda.send(
    new InvokeCommand({ FunctionName: 'cfn-hello', Payload: JSON.stringify({ name: 'Kyle' }) }),
  );
  return JSON.parse(Buffer.from(Payload!).toString('utf8'));
}

describe('Lambda and CloudWatch Logs resources', () => {
  it('creates a function from ZipFile code that runs, with its log group, stream, invoke config and permission', async () => {
    const stack = await createStack(cfn, 'lambda-stack', TEMPLATE, {
      parameters: { Greeting: 'hello' },
    });

    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    expect(stack.Outputs).toEqual(
      expect.arrayContaining([
        {
          OutputKey: 'Arn',
          OutputValue: 'arn:aws:lambda:eu-west-1:000000000000:function:cfn-hello',
        },
        {
          OutputKey: 'LogGroupArn',
          OutputValue: 'arn:aws:logs:eu-west-1:000000000000:log-group:/cfn/hello:*',
        },
      ]),
    );
    expect(await invoke()).toEqual({ greeting: 'hello', name: 'Kyle' });
    const { logGroups } = await logs.send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: '/cfn/' }),
    );
    expect(logGroups?.[0]).toMatchObject({ logGroupName: '/cfn/hello', retentionInDays: 7 });
    const { logStreams } = await logs.send(
      new DescribeLogStreamsCommand({ logGroupName: '/cfn/hello', logStreamNamePrefix: 'audit' }),
    );
    expect(logStreams?.map((s) => s.logStreamName)).toEqual(['audit']);
    const config = await lambda.send(
      new GetFunctionEventInvokeConfigCommand({ FunctionName: 'cfn-hello', Qualifier: '$LATEST' }),
    );
    expect(config.MaximumRetryAttempts).toBe(0);
    expect(config.DestinationConfig?.OnFailure?.Destination).toMatch(/^arn:aws:sns:eu-west-1:/);
    const { Policy } = await lambda.send(new GetPolicyCommand({ FunctionName: 'cfn-hello' }));
    expect(JSON.parse(Policy!).Statement[0].Principal).toEqual({ Service: 'sns.amazonaws.com' });
  });

  it('updates the function in place when its environment changes', async () => {
    const before = await lambda.send(new GetFunctionCommand({ FunctionName: 'cfn-hello' }));

    await cfn.send(
      new UpdateStackCommand({
        StackName: 'lambda-stack',
        UsePreviousTemplate: true,
        Parameters: parameters({ Greeting: 'bonjour' }),
      }),
    );

    expect((await settled(cfn, 'lambda-stack')).StackStatus).toBe('UPDATE_COMPLETE');
    expect(await invoke()).toEqual({ greeting: 'bonjour', name: 'Kyle' });
    const after = await lambda.send(new GetFunctionCommand({ FunctionName: 'cfn-hello' }));
    expect(after.Configuration?.FunctionArn).toBe(before.Configuration?.FunctionArn);
  });

  it('deletes the function and its log group with the stack', async () => {
    const { StackId } = await settled(cfn, 'lambda-stack');

    await cfn.send(new DeleteStackCommand({ StackName: 'lambda-stack' }));

    expect((await settled(cfn, StackId!)).StackStatus).toBe('DELETE_COMPLETE');
    await expect(
      lambda.send(new GetFunctionCommand({ FunctionName: 'cfn-hello' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    const { logGroups } = await logs.send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: '/cfn/' }),
    );
    expect(logGroups).toEqual([]);
  });
});
