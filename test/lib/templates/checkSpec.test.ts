import { beforeAll, describe, expect, it } from 'vitest';
import { checkAgainstSpec } from '../../../lib/templates/checkSpec.js';
import { parseTemplate } from '../../../lib/templates/parse.js';
import { loadServiceSpec } from '../../../lib/templates/spec.js';
import type { ServiceSpec } from '../../../lib/templates/spec.js';
import { located, REAL_TEMPLATES, template } from './support.js';

let spec: ServiceSpec;
beforeAll(async () => {
  spec = await loadServiceSpec();
});

async function check(nameOrPath: string): Promise<string[]> {
  return located(checkAgainstSpec(await template(nameOrPath), spec));
}

describe('checkAgainstSpec', () => {
  it.each(REAL_TEMPLATES)('passes %s', async (file) => {
    expect(await check(file)).toEqual([]);
  });

  it('names an unknown property and the one that was probably meant', async () => {
    expect(await check('unknown-property')).toEqual([
      '9:7: DataBucket (AWS::S3::Bucket) has no property "BucketNam" (did you mean "BucketName"?)',
    ]);
  });

  it('names a missing required property', async () => {
    expect(await check('missing-required')).toEqual([
      '10:5: StreamingFunction (AWS::Lambda::Function) is missing the required property "Code"',
    ]);
  });

  it('checks nested properties against their own types', () => {
    // Prepare
    const parsed = parseTemplate(
      [
        'Resources:',
        '  Fn:',
        '    Type: AWS::Lambda::Function',
        '    Properties:',
        '      Role: arn',
        '      Code:',
        '        S3Bucket: b',
        '        S3Kye: k',
        '      LoggingConfig:',
        '        LogFormat: JSON',
        '        LogGrup: g',
      ].join('\n'),
      't.yaml',
    );

    // Act
    const findings = located(checkAgainstSpec(parsed, spec));

    // Assess
    expect(findings).toEqual([
      '8:9: Fn (AWS::Lambda::Function).Code has no property "S3Kye" (did you mean "S3Key"?)',
      '11:9: Fn (AWS::Lambda::Function).LoggingConfig has no property "LogGrup" (did you mean "LogGroup"?)',
    ]);
  });

  it('names a value of the wrong type, in either branch of an Fn::If', () => {
    // Prepare
    const parsed = parseTemplate(
      [
        'Resources:',
        '  Fn:',
        '    Type: AWS::Lambda::Function',
        '    Properties:',
        '      Role: arn',
        '      Code: { S3Bucket: b, S3Key: k }',
        '      Architectures: arm64',
        "      MemorySize: !If [Big, lots, '256']",
        '      Environment: [TABLE_NAME]',
      ].join('\n'),
      't.yaml',
    );

    // Act
    const findings = located(checkAgainstSpec(parsed, spec));

    // Assess
    expect(findings).toContain(
      '7:7: Fn (AWS::Lambda::Function).Architectures must be a list, not "arm64"',
    );
    expect(findings).toContain(
      '8:29: Fn (AWS::Lambda::Function).MemorySize must be a whole number, not "lots"',
    );
    expect(findings).toContain(
      '9:7: Fn (AWS::Lambda::Function).Environment must be a map (Environment), not a list',
    );
  });

  it('names a Ref to nothing', async () => {
    expect(await check('ref-to-nothing')).toEqual([
      '9:7: Ref "TableNme" names no parameter, resource or pseudo parameter of this template (did you mean "TableName"?)',
    ]);
  });

  it('names a GetAtt attribute the type does not have, and a Sub of a missing resource', async () => {
    expect(await check('bad-getatt')).toEqual([
      '20:5: GetAtt TickerTable.Arnn: AWS::DynamoDB::Table has no attribute "Arnn"; it has "Arn" and "StreamArn"',
      '22:5: GetAtt names "TickerTabel", which is not a resource of this template (did you mean "TickerTable"?)',
    ]);
  });

  it('names an unknown resource type and a DependsOn on nothing', async () => {
    expect(await check('unknown-type')).toEqual([
      '4:5: resource DataBucket: "AWS::S3::Buckett" is not a CloudFormation resource type (did you mean "AWS::S3::Bucket"?)',
      '5:5: DependsOn "Nothing" names no resource of this template',
    ]);
  });

  it('accepts pseudo parameters, Sub variables of its own and literal ${!text}', () => {
    const parsed = parseTemplate(
      [
        'Resources:',
        '  Topic:',
        '    Type: AWS::SNS::Topic',
        '    Properties:',
        "      DisplayName: !Sub ['${AWS::StackName} ${Who} ${!Literal}', { Who: x }]",
        'Outputs:',
        '  Arn:',
        '    Value: !Sub ${Topic.TopicArn}',
      ].join('\n'),
      't.yaml',
    );
    expect(located(checkAgainstSpec(parsed, spec))).toEqual([]);
  });

  it('names resources that need each other in a circle', () => {
    const parsed = parseTemplate(
      [
        'Resources:',
        '  Role:',
        '    Type: AWS::IAM::Role',
        '    Properties:',
        '      AssumeRolePolicyDocument: {}',
        '      Description: !Sub "for ${Fn.Arn}"',
        '  Fn:',
        '    Type: AWS::Lambda::Function',
        '    Properties:',
        '      Role: !GetAtt Role.Arn',
        '      Code: { ZipFile: x }',
        '  Topic:',
        '    Type: AWS::SNS::Topic',
        '    DependsOn: Fn',
      ].join('\n'),
      't.yaml',
    );
    expect(located(checkAgainstSpec(parsed, spec))).toEqual([
      '2:3: circular dependency: Role → Fn → Role; CloudFormation cannot create these in any order',
    ]);
  });

  it('names a condition that is not defined', () => {
    const parsed = parseTemplate(
      [
        'Conditions:',
        '  IsProd: !Equals [a, b]',
        'Resources:',
        '  Topic:',
        '    Type: AWS::SNS::Topic',
        '    Condition: IsProdd',
        '    Properties:',
        '      DisplayName: !If [IsTest, a, b]',
      ].join('\n'),
      't.yaml',
    );
    expect(located(checkAgainstSpec(parsed, spec))).toEqual([
      '8:7: condition "IsTest" is not defined under Conditions',
      '6:5: condition "IsProdd" is not defined under Conditions (did you mean "IsProd"?)',
    ]);
  });
});
