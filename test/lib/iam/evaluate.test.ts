import { describe, expect, it } from 'vitest';
import { evaluateAccess, PolicyEvaluationError } from '../../../lib/iam/evaluate.js';
import type { PolicySet } from '../../../lib/iam/evaluate.js';

const SESSION = 'arn:aws:sts::123456789012:assumed-role/writer/session';
const STREAM =
  'arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/f:log-stream:2026/01/01/[$LATEST]abc';

function allowing(resource: string, action = 'logs:PutLogEvents'): PolicySet {
  return {
    identityPolicies: [
      {
        name: 'write-logs',
        document: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: action, Resource: resource }],
        },
      },
    ],
  };
}

describe('evaluateAccess', () => {
  it('allows a call a statement names, saying which one', async () => {
    const decision = await evaluateAccess(
      allowing('arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/f:log-stream:*'),
      { principal: SESSION, action: 'logs:PutLogEvents', resource: STREAM },
    );
    expect(decision).toEqual({
      allowed: true,
      reason: 'allowed by identity policy write-logs, statement 1',
    });
  });

  it("denies a log group's Arn attribute followed by :log-stream:*, which matches no stream", async () => {
    // The Arn of AWS::Logs::LogGroup already ends in ":*".
    const decision = await evaluateAccess(
      allowing('arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/f:*:log-stream:*'),
      { principal: SESSION, action: 'logs:PutLogEvents', resource: STREAM },
    );
    expect(decision).toEqual({
      allowed: false,
      explicit: false,
      reason: 'no statement of identity policies write-logs allows it',
      deniedBy: ['identity'],
    });
  });

  it('names the resource policy statement that denies a call', async () => {
    // Prepare
    const policies: PolicySet = {
      ...allowing('arn:aws:s3:::b/*', 's3:PutObject'),
      resourcePolicy: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'DenyOutsiders',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:Put*',
            Resource: 'arn:aws:s3:::b/*',
            Condition: { StringNotEquals: { 'aws:PrincipalAccount': '123456789012' } },
          },
        ],
      },
    };

    // Act
    const decision = await evaluateAccess(policies, {
      principal: 'arn:aws:sts::999999999999:assumed-role/other/s',
      action: 's3:PutObject',
      resource: 'arn:aws:s3:::b/key',
      resourceAccount: '123456789012',
      context: { 'aws:PrincipalAccount': '999999999999' },
    });

    // Assess
    expect(decision).toEqual({
      allowed: false,
      explicit: true,
      reason: 'explicitly denied by the resource policy, statement 1 (DenyOutsiders)',
      deniedBy: ['resource'],
    });
  });

  it('lets a service assume a role only when the trust policy condition holds', async () => {
    const trust: PolicySet = {
      identityPolicies: [],
      resourcePolicy: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'firehose.amazonaws.com' },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'sts:ExternalId': '123456789012' } },
          },
        ],
      },
    };
    const request = {
      principal: 'firehose.amazonaws.com',
      action: 'sts:AssumeRole',
      resource: 'arn:aws:iam::123456789012:role/delivery',
    };
    expect(
      await evaluateAccess(trust, { ...request, context: { 'sts:ExternalId': '123456789012' } }),
    ).toMatchObject({ allowed: true });
    expect(
      await evaluateAccess(trust, { ...request, context: { 'sts:ExternalId': '999999999999' } }),
    ).toMatchObject({ allowed: false });
  });

  it('refuses an action IAM does not know', async () => {
    await expect(
      evaluateAccess(allowing('*'), {
        principal: SESSION,
        action: 'dynamodb:Scann',
        resource: 'arn:aws:dynamodb:eu-west-1:123456789012:table/t',
      }),
    ).rejects.toThrow(PolicyEvaluationError);
  });
});
