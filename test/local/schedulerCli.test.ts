import { describe, expect, it } from 'vitest';
import { useAwsCli } from '../support/awsCli.js';
import { useLocalAws } from '../support/localAws.js';

const local = useLocalAws();
const aws = useAwsCli(local.endpoint);

const TARGET = JSON.stringify({
  Arn: 'arn:aws:lambda:eu-west-1:000000000000:function:cli-target',
  RoleArn: 'arn:aws:iam::000000000000:role/scheduler-role',
  Input: '{"id": "<aws.scheduler.execution-id>"}',
  RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
});

describe('the AWS CLI against local Scheduler', () => {
  it('creates, reads, lists and deletes a schedule', async () => {
    const created = JSON.parse(
      await aws(
        'scheduler',
        'create-schedule',
        '--name',
        'cli-schedule',
        '--schedule-expression',
        'cron(0 9 ? * MON-FRI *)',
        '--schedule-expression-timezone',
        'Europe/London',
        '--flexible-time-window',
        'Mode=OFF',
        '--state',
        'DISABLED',
        '--target',
        TARGET,
      ),
    ) as { ScheduleArn: string };
    const read = JSON.parse(
      await aws('scheduler', 'get-schedule', '--name', 'cli-schedule'),
    ) as Record<string, unknown>;
    const listed = JSON.parse(
      await aws('scheduler', 'list-schedules', '--name-prefix', 'cli-'),
    ) as { Schedules: { Name: string }[] };
    await aws('scheduler', 'delete-schedule', '--name', 'cli-schedule');
    const after = await aws.fails('scheduler', 'get-schedule', '--name', 'cli-schedule');

    expect(created.ScheduleArn).toBe(
      'arn:aws:scheduler:eu-west-1:000000000000:schedule/default/cli-schedule',
    );
    expect(read).toMatchObject({
      Name: 'cli-schedule',
      ScheduleExpression: 'cron(0 9 ? * MON-FRI *)',
      ScheduleExpressionTimezone: 'Europe/London',
      State: 'DISABLED',
      Target: { Input: '{"id": "<aws.scheduler.execution-id>"}' },
    });
    expect(listed.Schedules.map((schedule) => schedule.Name)).toEqual(['cli-schedule']);
    expect(after).toContain('ResourceNotFoundException');
    expect(after).toContain('Schedule cli-schedule does not exist.');
  });

  it('reports a bad expression as ValidationException with Scheduler’s message', async () => {
    const stderr = await aws.fails(
      'scheduler',
      'create-schedule',
      '--name',
      'cli-bad',
      '--schedule-expression',
      'rate(5 fortnights)',
      '--flexible-time-window',
      'Mode=OFF',
      '--target',
      TARGET,
    );

    expect(stderr).toContain('ValidationException');
    expect(stderr).toContain('Invalid Schedule Expression rate(5 fortnights).');
  });

  it('manages schedule groups and their tags', async () => {
    const { ScheduleGroupArn } = JSON.parse(
      await aws(
        'scheduler',
        'create-schedule-group',
        '--name',
        'cli-group',
        '--tags',
        'Key=team,Value=data',
      ),
    ) as { ScheduleGroupArn: string };
    const tags = JSON.parse(
      await aws('scheduler', 'list-tags-for-resource', '--resource-arn', ScheduleGroupArn),
    ) as { Tags: unknown[] };
    const groups = JSON.parse(await aws('scheduler', 'list-schedule-groups')) as {
      ScheduleGroups: { Name: string }[];
    };
    await aws('scheduler', 'delete-schedule-group', '--name', 'cli-group');

    expect(tags.Tags).toEqual([{ Key: 'team', Value: 'data' }]);
    expect(groups.ScheduleGroups.map((group) => group.Name)).toEqual(['default', 'cli-group']);
  });
});
