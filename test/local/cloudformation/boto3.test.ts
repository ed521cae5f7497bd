import { describe, expect, it } from 'vitest';
import { runBoto3 } from '../../support/boto3.js';
import { useLocalAws } from '../../support/localAws.js';

const local = useLocalAws();

// boto3 is a second, independent client of the query protocol: its parser and waiters, not ours.
describe('local CloudFormation through boto3', () => {
  it('creates a stack with a change set, waits for it, and deletes it', async () => {
    const output = await runBoto3(
      local.endpoint(),
      `
cfn = boto3.client('cloudformation', endpoint_url=endpoint)
template = '''
Parameters:
  Name: {Type: String}
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties: {TopicName: !Ref Name}
Outputs:
  Arn: {Value: !Ref Topic}
'''
cfn.create_change_set(StackName='boto-stack', ChangeSetName='first', ChangeSetType='CREATE',
    TemplateBody=template, Parameters=[{'ParameterKey': 'Name', 'ParameterValue': 'boto-topic'}])
cfn.get_waiter('change_set_create_complete').wait(StackName='boto-stack', ChangeSetName='first',
    WaiterConfig={'Delay': 1})
changes = cfn.describe_change_set(StackName='boto-stack', ChangeSetName='first')['Changes']
cfn.execute_change_set(StackName='boto-stack', ChangeSetName='first')
cfn.get_waiter('stack_create_complete').wait(StackName='boto-stack', WaiterConfig={'Delay': 1})
stack = cfn.describe_stacks(StackName='boto-stack')['Stacks'][0]
topics = boto3.client('sns', endpoint_url=endpoint).list_topics()['Topics']
cfn.delete_stack(StackName='boto-stack')
cfn.get_waiter('stack_delete_complete').wait(StackName='boto-stack', WaiterConfig={'Delay': 1})
print(json.dumps({
  'changes': [c['ResourceChange']['Action'] + ' ' + c['ResourceChange']['LogicalResourceId'] for c in changes],
  'status': stack['StackStatus'],
  'outputs': stack['Outputs'],
  'topics': [t['TopicArn'] for t in topics],
  'after': [t['TopicArn'] for t in boto3.client('sns', endpoint_url=endpoint).list_topics()['Topics']],
}))
`,
    );

    const result = JSON.parse(output);
    const arn = 'arn:aws:sns:eu-west-1:000000000000:boto-topic';
    expect(result).toEqual({
      changes: ['Add Topic'],
      status: 'CREATE_COMPLETE',
      outputs: [{ OutputKey: 'Arn', OutputValue: arn }],
      topics: [arn],
      after: [],
    });
  });
});
