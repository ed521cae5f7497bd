import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lib/config/load.js';
import { deriveNames } from '../../../lib/config/names.js';
import { pipelineParameters } from '../../../lib/templates/parameters.js';
import { parseTemplate, readTemplate } from '../../../lib/templates/parse.js';
import type { ParsedTemplate } from '../../../lib/templates/parse.js';
import { createResolver, partitionOf, ResolveError } from '../../../lib/templates/resolve.js';
import type { Resolver } from '../../../lib/templates/resolve.js';
import { documentedResourceValues } from '../../../lib/templates/resourceValues.js';

const PSEUDO = {
  accountId: '123456789012',
  region: 'eu-west-1',
  partition: 'aws',
  stackName: 'DEKYLMAP-streaming-pipeline',
};

/** A resolver over YAML written inline, with the documented Ref/GetAtt values. */
function resolverOf(yaml: string, parameters: Record<string, string> = {}): Resolver {
  return createResolver(parseTemplate(yaml, 't.yaml'), {
    parameters,
    pseudo: PSEUDO,
    resources: documentedResourceValues(),
  });
}

/** The error a call throws, so a test can look at its path and message. */
function thrown(act: () => unknown): ResolveError {
  try {
    act();
  } catch (error: unknown) {
    if (error instanceof ResolveError) return error;
    throw error;
  }
  throw new Error('expected a ResolveError');
}

describe('createResolver over the pipeline template', () => {
  let pipeline: ParsedTemplate;
  let resolver: Resolver;

  beforeAll(async () => {
    const config = await loadConfig('pipeline.config.json');
    const parameters = pipelineParameters(config, deriveNames(config), {
      streaming: 'functions/streaming-0000000000000000.zip',
      notification: 'functions/notification-0000000000000000.zip',
    });
    pipeline = await readTemplate('cloudformation/pipeline.yaml');
    resolver = createResolver(pipeline, {
      parameters,
      pseudo: PSEUDO,
      resources: documentedResourceValues(),
    });
  });

  it('gives GetAtt the documented ARN of each resource type', () => {
    expect(resolver.getAtt('TickerTable', 'Arn')).toBe(
      'arn:aws:dynamodb:eu-west-1:123456789012:table/DEKYLMAP-streaming-dynamodb',
    );
    expect(resolver.getAtt('DataBucket', 'Arn')).toBe(
      'arn:aws:s3:::dekylemaposa-deliverystream-s3',
    );
    expect(resolver.getAtt('StreamingLogGroup', 'Arn')).toMatch(/:log-group:[^:]+:\*$/);
    expect(resolver.ref('AlertTopic')).toBe(
      'arn:aws:sns:eu-west-1:123456789012:DEKYLMAP-streaming-sns-topic',
    );
  });

  it('resolves a role policy, with Fn::Sub over pseudo parameters and a resource Ref', () => {
    const properties = resolver.properties('StreamingFunctionRole');
    const statements = (properties.Policies as { PolicyDocument: { Statement: unknown[] } }[])[0]!
      .PolicyDocument.Statement;
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: `arn:aws:logs:eu-west-1:123456789012:log-group:${String(resolver.ref('StreamingLogGroup'))}:log-stream:*`,
    });
  });

  it('evaluates conditions from the parameters, and drops AWS::NoValue list items', () => {
    // The sample config has one alert address and authenticated-aws-accounts read access.
    expect(resolver.exists('AlertEmail1Subscription')).toBe(true);
    expect(resolver.exists('AlertEmail2Subscription')).toBe(false);
    const policy = resolver.properties('DataBucketPolicy').PolicyDocument as {
      Statement: { Sid: string }[];
    };
    expect(policy.Statement.map((statement) => statement.Sid)).toEqual([
      'DenyInsecureTransport',
      'DenyWritesFromOutsideTheAccount',
      'ReadBySignedInPrincipals',
    ]);
  });

  it('refuses a reference to a resource whose condition is false, naming the path', () => {
    const error = thrown(() => resolver.ref('AlertEmail5Subscription', ['Outputs', 'X', 'Value']));
    expect(error.message).toBe(
      'Outputs.X.Value: AlertEmail5Subscription does not exist with these parameters (its condition HasAlertEmail5 is false)',
    );
  });
});

describe('createResolver', () => {
  it('evaluates Fn::Sub in both forms, with ${!Literal} left as text', () => {
    const resolver = resolverOf(
      [
        'Parameters: { Name: { Type: String } }',
        'Resources: {}',
        'Outputs:',
        '  A: { Value: !Sub "${Name}-${AWS::Region}-${!Literal}" }',
        '  B: { Value: !Sub ["${X}/${Name}", { X: !Ref AWS::AccountId }] }',
      ].join('\n'),
      { Name: 'n' },
    );
    expect(resolver.resolve({ 'Fn::Sub': '${Name}-${AWS::Region}-${!Literal}' }, [])).toBe(
      'n-eu-west-1-${Literal}',
    );
    expect(
      resolver.resolve({ 'Fn::Sub': ['${X}/${Name}', { X: { Ref: 'AWS::AccountId' } }] }, []),
    ).toBe('123456789012/n');
  });

  it('evaluates Fn::Join, Fn::Select and Fn::Split over a list parameter', () => {
    const resolver = resolverOf(
      'Parameters: { Emails: { Type: CommaDelimitedList } }\nResources: {}',
      { Emails: 'a@x.io,b@x.io' },
    );
    const emails = { Ref: 'Emails' };
    expect(resolver.resolve({ 'Fn::Join': [';', emails] }, [])).toBe('a@x.io;b@x.io');
    expect(resolver.resolve({ 'Fn::Select': ['1', emails] }, [])).toBe('b@x.io');
    expect(resolver.resolve({ 'Fn::Split': ['@', { 'Fn::Select': [0, emails] }] }, [])).toEqual([
      'a',
      'x.io',
    ]);
  });

  it('evaluates Fn::If with Fn::Equals, Fn::Not, Fn::And, Fn::Or and Condition', () => {
    const resolver = resolverOf(
      [
        'Parameters: { Mode: { Type: String, Default: b } }',
        'Conditions:',
        '  IsA: !Equals [!Ref Mode, a]',
        '  IsB: !Not [!Condition IsA]',
        '  Both: !And [!Condition IsB, !Or [!Condition IsA, !Equals [x, x]]]',
        'Resources: {}',
      ].join('\n'),
    );
    expect(resolver.condition('IsA')).toBe(false);
    expect(resolver.condition('Both')).toBe(true);
    expect(resolver.resolve({ 'Fn::If': ['IsA', 'one', 'two'] }, [])).toBe('two');
    expect(resolver.resolve({ 'Fn::If': ['IsA', 'one', { Ref: 'AWS::NoValue' }] }, [])).toBe(
      undefined,
    );
  });

  it('names the path of an intrinsic it does not evaluate', () => {
    const resolver = resolverOf('Resources: {}');
    const error = thrown(() =>
      resolver.resolve({ 'Fn::GetAZs': '' }, ['Resources', 'Subnet', 'Properties', 'Zone']),
    );
    expect(error.path).toBe('Resources.Subnet.Properties.Zone.Fn::GetAZs');
    expect(error.message).toMatch(/Fn::GetAZs is not supported here; it supports Ref, Fn::GetAtt/);
  });

  it('names the path of a reference to nothing and of an unknown attribute', () => {
    const resolver = resolverOf(
      'Resources:\n  Table: { Type: AWS::DynamoDB::Table, Properties: { TableName: t } }',
    );
    expect(thrown(() => resolver.resolve({ Ref: 'Tabel' }, ['Outputs', 'T'])).message).toBe(
      'Outputs.T.Ref: Tabel names no parameter, pseudo parameter or resource of the template',
    );
    expect(
      thrown(() => resolver.resolve({ 'Fn::GetAtt': ['Table', 'Url'] }, ['Outputs', 'T'])).message,
    ).toBe('Outputs.T.Fn::GetAtt: Table (AWS::DynamoDB::Table) has no attribute Url here');
  });

  it('refuses a resource whose name depends on its own ARN', () => {
    const resolver = resolverOf(
      'Resources:\n  Table: { Type: AWS::DynamoDB::Table, Properties: { TableName: !GetAtt Table.Arn } }',
    );
    expect(thrown(() => resolver.getAtt('Table', 'Arn')).message).toBe(
      'Resources.Table.Properties.TableName: refers back to itself through Ref or Fn::GetAtt',
    );
  });

  it('refuses a parameter without a value or a default', () => {
    const resolver = resolverOf('Parameters: { Name: { Type: String } }\nResources: {}');
    expect(thrown(() => resolver.resolve({ Ref: 'Name' }, ['Outputs', 'N'])).message).toBe(
      'Outputs.N.Ref: parameter Name has no value and no Default',
    );
  });

  it('gives a resource without a name property a stable generated name', () => {
    const yaml = 'Resources:\n  Queue: { Type: AWS::SQS::Queue }';
    const first = resolverOf(yaml).getAtt('Queue', 'QueueName');
    expect(first).toMatch(/^DEKYLMAP-streaming-pipeline-Queue-[0-9A-F]{12}$/);
    expect(resolverOf(yaml).getAtt('Queue', 'QueueName')).toBe(first);
  });

  it('knows the partition of a region', () => {
    expect([
      partitionOf('eu-west-1'),
      partitionOf('cn-north-1'),
      partitionOf('us-gov-west-1'),
    ]).toEqual(['aws', 'aws-cn', 'aws-us-gov']);
  });
});
