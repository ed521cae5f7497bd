import { describe, expect, it } from 'vitest';
import { checkGuardRules, failuresOf, GuardError } from '../../../lib/templates/guard.js';
import { fixture, located, REAL_TEMPLATES, template } from './support.js';

describe('checkGuardRules', () => {
  it('passes the real templates, whose every suppression is used and has a reason', async () => {
    // Prepare
    const templates = await Promise.all(REAL_TEMPLATES.map((file) => template(file)));

    // Act
    const { errors, warnings } = await checkGuardRules(templates);

    // Assess
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('reports a failed control on the resource, with its id and what it requires', async () => {
    const { errors } = await checkGuardRules([await template('guard-unsuppressed')]);
    expect(errors).toContainEqual(
      expect.objectContaining({
        file: fixture('guard-unsuppressed'),
        line: 11,
        column: 3,
        path: 'Resources.StreamingFunction',
        message:
          'CT.LAMBDA.PR.3 (cfn-guard, AWS Control Tower): Require an AWS Lambda function to be in a customer-managed Amazon Virtual Private Cloud (VPC). Meet the control, or suppress it on StreamingFunction under Metadata.guard.SuppressedRules with a Reason',
      }),
    );
  });

  it('rejects a suppression without a reason, and does not suppress with it', async () => {
    // Act
    const { errors } = await checkGuardRules([await template('guard-unsuppressed')]);

    // Assess
    expect(located(errors)).toContain(
      '25:13: suppressing CT.LAMBDA.PR.3 needs a Reason: why the control does not fit NotificationFunction, and what covers the risk instead',
    );
    expect(located(errors)).toContainEqual(
      expect.stringMatching(/^20:3: CT\.LAMBDA\.PR\.3 .*NotificationFunction/),
    );
  });

  it('warns about a suppression that suppresses nothing', async () => {
    const { warnings } = await checkGuardRules([await template('guard-unsuppressed')]);
    expect(located(warnings)).toEqual([
      '27:13: CT.S3.PR.1 is suppressed here but does not fail; remove the suppression',
    ]);
  });

  it('drops a failure only on the resource that suppresses it', async () => {
    // Prepare: the real pipeline suppresses CT.LAMBDA.PR.3 on its functions; this one does not.
    const templates = [
      await template('cloudformation/pipeline.yaml'),
      await template('old-runtime'),
    ];

    // Act
    const { errors } = await checkGuardRules(templates);

    // Assess
    const controls = errors.map((error) => `${error.file} ${error.message.split(' ')[0]}`);
    expect(controls).toContain(`${fixture('old-runtime')} CT.LAMBDA.PR.3`);
    expect(controls.filter((c) => c.startsWith('cloudformation/'))).toEqual([]);
  });
});

describe('failuresOf', () => {
  it('fails loudly when cfn-guard’s report is not in the form it knows', () => {
    const changed = [{ name: 't.yaml', not_compliant: [{ Rules: { name: 'x' } }] }];
    expect(() => failuresOf(changed)).toThrow(GuardError);
  });
});
