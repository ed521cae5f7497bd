import { describe, expect, it } from 'vitest';
import { checkConsistency, checkExportNames } from '../../../lib/templates/consistency.js';
import { parseTemplate } from '../../../lib/templates/parse.js';
import { fixture, located, REAL_TEMPLATES, template } from './support.js';

describe('checkConsistency', () => {
  it.each(REAL_TEMPLATES)('passes %s', async (file) => {
    expect(located(checkConsistency(await template(file)))).toEqual([]);
  });

  it('rejects parameter defaults that break their own AllowedPattern, AllowedValues and MaxValue', async () => {
    expect(located(checkConsistency(await template('bad-default')))).toEqual([
      '6:5: the default of TopicName, "Alerts_Topic", does not match AllowedPattern [a-z-]+',
      '10:5: the default of BillingMode, "ON_DEMAND", is not one of AllowedValues PAY_PER_REQUEST, PROVISIONED',
      '15:5: the default of ScheduleMinutes, "90", is above MaxValue 60',
    ]);
  });

  it('rejects a key attribute missing from AttributeDefinitions', async () => {
    expect(located(checkConsistency(await template('key-not-defined')))).toEqual([
      '13:11: TickerTable: key attribute "timestamp" is not under AttributeDefinitions (which declares "symbol")',
    ]);
  });

  it('rejects an attribute definition that no key uses', () => {
    const parsed = parseTemplate(
      [
        'Resources:',
        '  T:',
        '    Type: AWS::DynamoDB::Table',
        '    Properties:',
        '      AttributeDefinitions: [{ AttributeName: id, AttributeType: S }, { AttributeName: extra, AttributeType: N }]',
        '      KeySchema: [{ AttributeName: id, KeyType: HASH }]',
      ].join('\n'),
      't.yaml',
    );
    expect(located(checkConsistency(parsed))).toEqual([
      expect.stringMatching(/^5:\d+: T: attribute "extra" is defined but no key schema uses it/),
    ]);
  });

  it('rejects an Fn::Select index past the end of a literal list', async () => {
    expect(located(checkConsistency(await template('select-out-of-range')))).toEqual([
      '6:27: Fn::Select index 2 is past the end of a list of 2 (indexes start at 0)',
    ]);
  });

  it('leaves an Fn::Select over a list known only at deploy time alone', () => {
    const parsed = parseTemplate(
      'Parameters:\n  L: { Type: CommaDelimitedList }\nResources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties: { TopicName: !Select [7, !Ref L] }\n',
      't.yaml',
    );
    expect(checkConsistency(parsed)).toEqual([]);
  });
});

describe('checkExportNames', () => {
  it('rejects one export name in two templates checked together', async () => {
    // Act
    const findings = checkExportNames([await template('export-a'), await template('export-b')]);

    // Assess
    expect(findings).toEqual([
      expect.objectContaining({
        file: fixture('export-b'),
        line: 9,
        message: `export name TickerTableName is also exported by TopicArn in ${fixture('export-a')}; CloudFormation refuses a second export of one name`,
      }),
    ]);
  });

  it('lets two stacks export ${AWS::StackName}-based names of the same text', () => {
    const body = (file: string) =>
      parseTemplate(
        "Resources:\n  T: { Type: AWS::SNS::Topic }\nOutputs:\n  A:\n    Value: !Ref T\n    Export: { Name: !Sub '${AWS::StackName}-Topic' }\n",
        file,
      );
    expect(checkExportNames([body('a.yaml'), body('b.yaml')])).toEqual([]);
  });

  it('passes the real templates together', async () => {
    const templates = await Promise.all(REAL_TEMPLATES.map((file) => template(file)));
    expect(checkExportNames(templates)).toEqual([]);
  });
});
