import { describe, expect, it } from 'vitest';
import { parseTemplate } from '../../../lib/templates/parse.js';
import { checkPolicies } from '../../../lib/templates/policies.js';
import { located, REAL_TEMPLATES, template } from './support.js';

/** A role whose inline policy holds the given statement lines (YAML, indented for the list). */
function role(statement: string[], document: string[] = ["Version: '2012-10-17'"]) {
  return parseTemplate(
    [
      'Resources:',
      '  R:',
      '    Type: AWS::IAM::Role',
      '    Properties:',
      '      AssumeRolePolicyDocument:',
      "        Version: '2012-10-17'",
      '        Statement:',
      '          - { Effect: Allow, Principal: { Service: lambda.amazonaws.com }, Action: sts:AssumeRole }',
      '      Policies:',
      '        - PolicyName: p',
      '          PolicyDocument:',
      ...document.map((line) => `            ${line}`),
      '            Statement:',
      ...statement.map((line, index) => `              ${index === 0 ? '- ' : '  '}${line}`),
    ].join('\n'),
    't.yaml',
  );
}

const messages = async (parsed: ReturnType<typeof role>) =>
  (await checkPolicies(parsed)).map((finding) => finding.message);

describe('checkPolicies', () => {
  it.each(REAL_TEMPLATES)('passes %s', async (file) => {
    expect(located(await checkPolicies(await template(file)))).toEqual([]);
  });

  it('rejects Effect "allow" in lower case, which IAM refuses', async () => {
    expect(located(await checkPolicies(await template('lowercase-effect')))).toEqual([
      '22:17: Effect "allow" is not "Allow" or "Deny": IAM refuses any other spelling, write "Allow"',
    ]);
  });

  it('rejects an action IAM does not have, with the nearest one', async () => {
    expect(located(await checkPolicies(await template('unknown-action')))).toEqual([
      '27:21: "dynamodb:UpdateItems" is not an IAM action of dynamodb (did you mean "dynamodb:UpdateItem"?)',
    ]);
  });

  it('accepts a wildcard that matches some action, and rejects one that matches none', async () => {
    const parsed = role([
      'Effect: Allow',
      'Action: [s3:Get*, s3:Fly*]',
      'Resource: arn:aws:s3:::b/*',
    ]);
    expect(await messages(parsed)).toEqual([
      '"s3:Fly*" is not an IAM action of s3 (the wildcard matches none)',
    ]);
  });

  it('rejects an unknown service prefix and an action without one', async () => {
    const parsed = role(['Effect: Allow', 'Action: [dynamo:GetItem, GetItem]', "Resource: '*'"]);
    expect(await messages(parsed)).toEqual([
      'Action "GetItem" is not an IAM action: write service:Action, such as "s3:GetObject"',
      '"dynamo:GetItem": IAM has no service with the prefix "dynamo"',
    ]);
  });

  it('rejects a statement with both Action and NotAction, and one with neither', async () => {
    const both = role([
      'Effect: Deny',
      'Action: s3:GetObject',
      'NotAction: s3:PutObject',
      "Resource: '*'",
    ]);
    const neither = role(['Effect: Deny', "Resource: '*'"]);
    expect(await messages(both)).toEqual(['a statement takes Action or NotAction, not both']);
    expect(await messages(neither)).toEqual(['the statement needs Action (or NotAction)']);
  });

  it('rejects a Principal in an identity policy and an unknown statement element', async () => {
    const parsed = role([
      'Effect: Allow',
      'Principal: { AWS: arn:aws:iam::111122223333:root }',
      'Action: s3:GetObject',
      'Resources: arn:aws:s3:::b/*',
    ]);
    expect(await messages(parsed)).toEqual([
      "an identity policy (a role's or user's own) names no Principal: it applies to whoever holds it",
      '"Resources" is not a policy statement element (did you mean "Resource"?)',
      'the statement needs Resource (or NotResource)',
    ]);
  });

  it('rejects an unknown condition operator, and accepts prefixed and IfExists ones', async () => {
    const parsed = role([
      'Effect: Allow',
      'Action: s3:GetObject',
      'Resource: arn:aws:s3:::b/*',
      'Condition:',
      '  ForAnyValue:StringLikeIfExists: { "aws:TagKeys": ["a*"] }',
      '  StringEqual: { "aws:SourceAccount": "111122223333" }',
    ]);
    expect(await messages(parsed)).toEqual([
      '"StringEqual" is not an IAM condition operator (did you mean "StringEquals"?)',
    ]);
  });

  it('rejects a policy without Version, or with a date IAM does not know', async () => {
    const statement = ['Effect: Allow', 'Action: s3:GetObject', 'Resource: arn:aws:s3:::b/*'];
    expect(await messages(role(statement, []))).toEqual([
      "the policy needs Version: '2012-10-17' (without it IAM reads policy variables as text)",
    ]);
    expect(await messages(role(statement, ["Version: '2012-10-18'"]))).toEqual([
      'Version "2012-10-18" is not "2012-10-17" or "2008-10-17": write \'2012-10-17\' in quotes',
    ]);
  });

  it('checks bucket policies too, where a Principal is required and its kind must be IAM’s', async () => {
    const parsed = parseTemplate(
      [
        'Resources:',
        '  P:',
        '    Type: AWS::S3::BucketPolicy',
        '    Properties:',
        '      Bucket: b',
        '      PolicyDocument:',
        "        Version: '2012-10-17'",
        '        Statement:',
        '          - { Effect: Deny, Principal: { Services: "*" }, Action: "s3:*", Resource: "arn:aws:s3:::b/*" }',
        '          - { Effect: Deny, Action: "s3:*", Resource: "arn:aws:s3:::b/*" }',
      ].join('\n'),
      't.yaml',
    );
    expect(await messages(parsed)).toEqual([
      'Principal "Services" is not a kind of principal: use "AWS", "Service", "Federated" or "CanonicalUser" (did you mean "Service"?)',
      'the statement needs Principal (or NotPrincipal)',
    ]);
  });
});
