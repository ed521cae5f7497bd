import { describe, expect, it } from 'vitest';
import { parseTemplate } from '../../../lib/templates/parse.js';
import { checkProjectRules } from '../../../lib/templates/rules.js';
import { located, REAL_TEMPLATES, template } from './support.js';

async function check(nameOrPath: string): Promise<string[]> {
  return located(checkProjectRules(await template(nameOrPath)));
}

describe('checkProjectRules', () => {
  it.each(REAL_TEMPLATES)('passes %s', async (file) => {
    expect(await check(file)).toEqual([]);
  });

  it('rejects a wildcard action in an Allow statement', async () => {
    expect(await check('wildcard-action')).toEqual([
      '27:21: wildcard action "s3:*": name each action the role needs, such as "s3:GetObject"',
    ]);
  });

  it('rejects Resource "*" unless a comment on the statement says why', async () => {
    expect(await check('resource-star')).toEqual([
      '24:17: Resource "*" allows every resource: scope it to ARNs of this stack, or, where AWS accepts nothing narrower, say why in a comment on the statement',
    ]);
  });

  it('rejects a bucket policy that lets anyone outside the account write', async () => {
    // The account's own root may delete (statement 2); the world may not put (statement 1).
    expect(await check('public-write')).toEqual([
      '21:17: the bucket policy lets principals outside this account use "s3:PutObject"; others may only read (s3:Get*, s3:List* actions): nobody outside the account may write',
    ]);
  });

  it('rejects a write grant to other accounts hidden in one branch of an Fn::If', () => {
    // Prepare
    const parsed = parseTemplate(
      [
        'Resources:',
        '  Policy:',
        '    Type: AWS::S3::BucketPolicy',
        '    Properties:',
        '      Bucket: b',
        '      PolicyDocument:',
        '        Statement:',
        '          - !If',
        '            - Shared',
        '            - Effect: Allow',
        '              Principal: { AWS: ["111122223333"] }',
        '              Action: [s3:GetObject, s3:DeleteObject]',
        '              Resource: arn:aws:s3:::b/*',
        '            - !Ref AWS::NoValue',
      ].join('\n'),
      't.yaml',
    );

    // Act
    const findings = located(checkProjectRules(parsed));

    // Assess
    expect(findings).toEqual([expect.stringMatching(/^12:38: .*use "s3:DeleteObject"/)]);
  });

  it('rejects the PublicReadWrite ACL', () => {
    const parsed = parseTemplate(
      'Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      AccessControl: PublicReadWrite\n',
      't.yaml',
    );
    expect(located(checkProjectRules(parsed))).toEqual([
      expect.stringMatching(/^5:7: the "PublicReadWrite" ACL opens the bucket beyond this account/),
    ]);
  });

  it('rejects a runtime older than nodejs22.x', async () => {
    expect(await check('old-runtime')).toEqual([
      '19:7: runtime "nodejs18.x" is not current: use nodejs22.x or newer',
    ]);
  });

  it('rejects a scheduled function without alerts, logs kept forever and a name not from the config', async () => {
    expect(await check('no-alerts')).toEqual([
      '24:3: log group StreamingLogGroup keeps logs forever: set RetentionInDays',
      '28:3: function StreamingFunction runs on a schedule but has no on-failure destination: add an AWS::Lambda::EventInvokeConfig with DestinationConfig.OnFailure, so a failure alerts someone',
      '16:7: TickerTable.TableName must be !Ref to a parameter, so the name comes from pipeline.config.json (lib/config/names.ts), not from the template',
    ]);
  });

  it('rejects a function that does not log to a log group of the template', async () => {
    expect(await check('missing-required')).toEqual([
      '8:3: function StreamingFunction must log to a log group of this template (LoggingConfig.LogGroup: !Ref ...), or Lambda creates one that keeps logs forever',
    ]);
  });

  it('rejects two resources named from one parameter, and transforms', () => {
    const parsed = parseTemplate(
      [
        'Transform: AWS::Serverless-2016-10-31',
        'Parameters:',
        '  TopicName: { Type: String }',
        'Resources:',
        '  A:',
        '    Type: AWS::SNS::Topic',
        '    Properties: { TopicName: !Ref TopicName }',
        '  B:',
        '    Type: AWS::SNS::Topic',
        '    Properties: { TopicName: !Ref TopicName }',
      ].join('\n'),
      't.yaml',
    );
    expect(located(checkProjectRules(parsed))).toEqual([
      '10:19: B and A both take their name from TopicName; each resource needs its own',
      '1:1: transforms and macros are not allowed: keep the template plain, so the local engine deploys it as AWS does',
    ]);
  });
});
