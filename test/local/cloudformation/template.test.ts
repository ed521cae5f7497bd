import { describe, expect, it } from 'vitest';
import {
  bindParameters,
  checkCapabilities,
  parseTemplateText,
} from '../../../local/cloudformation/template.js';

const template = parseTemplateText(`
Parameters:
  Name:
    Type: String
    MinLength: 3
    MaxLength: 8
  Stage:
    Type: String
    AllowedValues: [dev, prod]
    Default: dev
  Count:
    Type: Number
    MinValue: 1
    MaxValue: 5
    Default: 2
  Code:
    Type: String
    AllowedPattern: '[A-Z]+'
    ConstraintDescription: upper-case letters only
  Zones:
    Type: CommaDelimitedList
    Default: a,b
Resources:
  Topic:
    Type: AWS::SNS::Topic
`);

const bind = (values: Record<string, string>) =>
  bindParameters(
    template,
    Object.entries(values).map(([key, value]) => ({ key, value, usePreviousValue: false })),
  );

describe('parameter values, checked as CloudFormation checks them', () => {
  it('binds given values and defaults', () => {
    expect(bind({ Name: 'abcd', Code: 'XY' })).toEqual({
      Name: 'abcd',
      Stage: 'dev',
      Count: '2',
      Code: 'XY',
      Zones: 'a,b',
    });
  });

  it.each([
    [{ Name: 'ab', Code: 'X' }, "Parameter 'Name' must contain at least 3 characters"],
    [{ Name: 'abcdefghi', Code: 'X' }, "Parameter 'Name' must contain at most 8 characters"],
    [{ Name: 'abc', Code: 'X', Stage: 'test' }, "Parameter 'Stage' must be one of AllowedValues"],
    [{ Name: 'abc', Code: 'X', Count: 'many' }, "Parameter 'Count' must be a number"],
    [{ Name: 'abc', Code: 'X', Count: '0' }, "Parameter 'Count' must be a number not less than 1"],
    [
      { Name: 'abc', Code: 'X', Count: '6' },
      "Parameter 'Count' must be a number not greater than 5",
    ],
    [
      { Name: 'abc', Code: 'x' },
      "Parameter 'Code' failed to satisfy constraint: upper-case letters only",
    ],
    [{ Code: 'X' }, 'Parameters: [Name] must have values'],
    [{ Name: 'abc', Code: 'X', Other: '1' }, 'Parameters: [Other] do not exist in the template'],
  ])('refuses %j with "%s"', (values, message) => {
    expect(() => bind(values)).toThrow(
      expect.objectContaining({ code: 'ValidationError', message }),
    );
  });

  it('takes the previous value for UsePreviousValue, and refuses it for a new parameter', () => {
    const given = [
      { key: 'Name', usePreviousValue: true },
      { key: 'Code', value: 'Q', usePreviousValue: false },
    ];

    expect(bindParameters(template, given, { Name: 'kept' }).Name).toBe('kept');
    expect(() => bindParameters(template, given, {})).toThrow(/Cannot specify usePreviousValue/);
  });
});

describe('capabilities', () => {
  it('accepts CAPABILITY_NAMED_IAM where CAPABILITY_IAM is needed', () => {
    expect(() => checkCapabilities(['CAPABILITY_IAM'], ['CAPABILITY_NAMED_IAM'])).not.toThrow();
  });

  it('names the capability that is missing', () => {
    expect(() => checkCapabilities(['CAPABILITY_IAM'], [])).toThrow(
      expect.objectContaining({
        code: 'InsufficientCapabilitiesException',
        message: 'Requires capabilities : [CAPABILITY_IAM]',
      }),
    );
  });
});
