import { describe, expect, it } from 'vitest';
import { findCfnLint } from '../../../lib/templates/cfnLint.js';
import { validateTemplates } from '../../../lib/templates/validate.js';
import { fixture, REAL_TEMPLATES } from './support.js';

const cfnLint = await findCfnLint();
const withCfnLint = cfnLint ? it : it.skip;

/**
 * The faults AWS's own linter catches, planted one kind per fixture, with the line of each and
 * a word of what ours says and cfn-lint's rule id.
 */
const PLANTED = [
  {
    name: 'out-of-range',
    line: 18,
    ours: 'Timeout = 1000 is above the maximum of 900',
    rule: 'E3034',
  },
  { name: 'out-of-range', line: 11, ours: 'RetentionInDays = 366 is not one of', rule: 'E3030' },
  {
    name: 'out-of-range',
    line: 38,
    ours: 'SizeInMBs = 200 is above the maximum of 128',
    rule: 'E3034',
  },
  {
    name: 'out-of-range',
    line: 28,
    ours: 'MaximumRetryAttempts = 5 is above the maximum of 2',
    rule: 'E3034',
  },
  { name: 'bad-enums', line: 13, ours: 'Runtime = "nodejs22" is not one of', rule: 'E3030' },
  { name: 'bad-enums', line: 19, ours: 'LogFormat = "Yaml" is not one of', rule: 'E3030' },
  { name: 'bad-enums', line: 24, ours: 'BillingMode = "ON_DEMAND" is not one of', rule: undefined },
  { name: 'bad-enums', line: 27, ours: 'AttributeType = "STRING" is not one of', rule: 'E3030' },
  { name: 'bad-enums', line: 30, ours: 'KeyType = "PRIMARY" is not one of', rule: 'E3002' },
  {
    name: 'key-not-defined',
    line: 13,
    ours: 'key attribute "timestamp" is not under AttributeDefinitions',
    rule: undefined,
  },
  { name: 'key-not-defined', line: 5, ours: undefined, rule: 'E3039' },
  { name: 'bad-default', line: 6, ours: 'does not match AllowedPattern', rule: 'E2015' },
  { name: 'bad-default', line: 10, ours: 'is not one of AllowedValues', rule: 'E2015' },
  { name: 'bad-default', line: 15, ours: 'is above MaxValue 60', rule: 'E2015' },
  {
    name: 'lowercase-effect',
    line: 22,
    ours: 'Effect "allow" is not "Allow" or "Deny"',
    rule: 'E3510',
  },
  {
    name: 'unknown-action',
    line: 27,
    ours: '"dynamodb:UpdateItems" is not an IAM action',
    rule: undefined,
  },
  { name: 'unknown-action', line: 25, ours: undefined, rule: 'W3037' },
];

describe('validateTemplates', () => {
  it('passes the real templates with our own checks alone', async () => {
    const report = await validateTemplates(REAL_TEMPLATES, { cfnLint: false });
    expect([report.errors, report.warnings]).toEqual([[], []]);
    expect(report.cfnLint).toEqual({ ran: false, reason: 'cfn-lint was turned off' });
  });

  it.each(PLANTED.filter((fault) => fault.ours))(
    'catches $name line $line without cfn-lint: $ours',
    async ({ name, line, ours }) => {
      const { errors } = await validateTemplates([fixture(name)], { cfnLint: false });
      expect(errors).toContainEqual(
        expect.objectContaining({
          file: fixture(name),
          line,
          message: expect.stringContaining(ours!),
        }),
      );
    },
  );

  it('catches one export name in two templates checked together', async () => {
    const { errors } = await validateTemplates([fixture('export-a'), fixture('export-b')], {
      cfnLint: false,
    });
    expect(errors.map((e) => `${e.file}:${e.line}: ${e.message.split(';')[0]}`)).toContain(
      `${fixture('export-b')}:9: export name TickerTableName is also exported by TopicArn in ${fixture('export-a')}`,
    );
  });

  withCfnLint('passes the real templates with cfn-lint too', async () => {
    const report = await validateTemplates(REAL_TEMPLATES, { cfnLint });
    expect([report.errors, report.warnings]).toEqual([[], []]);
    expect(report.cfnLint).toEqual({ ran: true, binary: cfnLint });
  });

  withCfnLint(
    'shows every planted fault cfn-lint sees beside ours, each naming its source',
    async () => {
      // Act: one cfn-lint process over all the fixtures.
      const files = [...new Set(PLANTED.map((fault) => fixture(fault.name)))];
      const report = await validateTemplates(files, { cfnLint });

      // Assess
      const all = [...report.errors, ...report.warnings];
      for (const { name, line, rule } of PLANTED.filter((fault) => fault.rule))
        expect(all).toContainEqual(
          expect.objectContaining({
            file: fixture(name),
            line,
            message: expect.stringMatching(new RegExp(`^${rule} \\(cfn-lint\\): `)),
          }),
        );
      expect(report.warnings).toContainEqual(
        expect.objectContaining({
          message: expect.stringMatching(/^W3037 \(cfn-lint\): 'updateitems'/),
        }),
      );
    },
  );
});
