import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lib/errors.js';
import { parseTemplate } from '../../../lib/templates/parse.js';
import { fixture, located, template } from './support.js';

function parseErrors(text: string): string[] {
  try {
    parseTemplate(text, 't.yaml');
  } catch (error: unknown) {
    if (error instanceof ValidationError) return located(error.findings);
    throw error;
  }
  return [];
}

describe('parseTemplate', () => {
  it('turns short tags into the long form CloudFormation uses', () => {
    // Prepare
    const text = [
      'Resources:',
      '  Topic:',
      '    Type: AWS::SNS::Topic',
      '    Properties:',
      '      TopicName: !Ref TopicName',
      '      DisplayName: !Sub "${AWS::StackName} alerts"',
      '      KmsMasterKeyId: !GetAtt Key.Arn',
      '      Tags:',
      '        - Key: a',
      '          Value: !Select [0, !Split [",", !Join [",", [x, y]]]]',
      '        - Key: b',
      '          Value: !If [IsProd, !GetAtt [Key, KeyId], !Ref AWS::NoValue]',
    ].join('\n');

    // Act
    const parsed = parseTemplate(text, 't.yaml');

    // Assess
    expect(parsed.body.Resources).toEqual({
      Topic: {
        Type: 'AWS::SNS::Topic',
        Properties: {
          TopicName: { Ref: 'TopicName' },
          DisplayName: { 'Fn::Sub': '${AWS::StackName} alerts' },
          KmsMasterKeyId: { 'Fn::GetAtt': ['Key', 'Arn'] },
          Tags: [
            {
              Key: 'a',
              Value: {
                'Fn::Select': [0, { 'Fn::Split': [',', { 'Fn::Join': [',', ['x', 'y']] }] }],
              },
            },
            {
              Key: 'b',
              Value: {
                'Fn::If': ['IsProd', { 'Fn::GetAtt': ['Key', 'KeyId'] }, { Ref: 'AWS::NoValue' }],
              },
            },
          ],
        },
      },
    });
  });

  it('locates each key by line and column', () => {
    // Prepare
    const text =
      'Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: x\n';

    // Act
    const parsed = parseTemplate(text, 't.yaml');

    // Assess
    expect(parsed.locate(['Resources', 'Topic', 'Properties', 'TopicName'])).toEqual({
      line: 5,
      column: 7,
    });
    expect(parsed.locate(['Resources', 'Topic', 'Properties', 'Nothing', 0])).toEqual({
      line: 4,
      column: 5,
    });
  });

  it('asks for quotes around OFF, which CloudFormation (YAML 1.1) reads as a boolean', () => {
    expect(parseErrors('Resources:\n  A:\n    Mode: OFF\n    Quoted: "OFF"\n')).toEqual([
      "3:5: unquoted OFF is a boolean to CloudFormation (YAML 1.1): write 'OFF' in quotes for the text, or true/false",
    ]);
  });

  it('keeps the comments next to a value, so rules can ask for a reason', async () => {
    const parsed = await template('resource-star');
    const statements = [
      'Resources',
      'StreamingFunctionRole',
      'Properties',
      'Policies',
      0,
      'PolicyDocument',
      'Statement',
    ];
    expect(parsed.commentsAt([...statements, 0])).toBe('');
    expect(parsed.commentsAt([...statements, 1])).toContain('X-Ray has no resource-level');
  });

  it('reports broken YAML once, at its position', async () => {
    const errors = await template('bad-yaml').then(
      () => [],
      (error: unknown) => (error instanceof ValidationError ? error.findings : []),
    );
    expect(errors).toEqual([
      {
        path: '',
        message: 'not valid YAML: A block sequence may not be used as an implicit map key',
        file: fixture('bad-yaml'),
        line: 7,
        column: 1,
      },
    ]);
  });

  it('names a tag CloudFormation does not know', () => {
    expect(parseErrors('Resources:\n  A:\n    Type: !Reference X\n')).toEqual([
      expect.stringMatching(/^3:5: unknown tag !Reference; CloudFormation knows !Ref, /),
    ]);
  });

  it('rejects a template that is not a map', () => {
    expect(parseErrors('- just\n- a list\n')).toEqual([
      '1:1: a template must be a YAML map with a Resources section',
    ]);
  });

  it('rejects a duplicate key, which CloudFormation would also reject', () => {
    expect(parseErrors('Resources:\n  A: 1\n  A: 2\n')).toEqual([
      expect.stringMatching(/^3:3: not valid YAML: Map keys must be unique/),
    ]);
  });
});
