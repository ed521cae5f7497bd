import {
  ConflictException,
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  DeleteScheduleGroupCommand,
  GetScheduleCommand,
  GetScheduleGroupCommand,
  ListScheduleGroupsCommand,
  ListSchedulesCommand,
  ListTagsForResourceCommand,
  ResourceNotFoundException,
  SchedulerClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateScheduleCommand,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import type { CreateScheduleCommandInput } from '@aws-sdk/client-scheduler';
import { describe, expect, it } from 'vitest';
import { useLocalAws } from '../support/localAws.js';

const ROLE = 'arn:aws:iam::000000000000:role/scheduler-role';
const QUEUE = 'arn:aws:sqs:eu-west-1:000000000000:scheduler-crud-target';

/** A disabled schedule (nothing fires) with only what CreateSchedule requires. */
function minimal(name: string, overrides: Partial<CreateScheduleCommandInput> = {}) {
  return {
    Name: name,
    ScheduleExpression: 'rate(5 minutes)',
    FlexibleTimeWindow: { Mode: 'OFF' as const },
    State: 'DISABLED' as const,
    Target: { Arn: QUEUE, RoleArn: ROLE },
    ...overrides,
  };
}

/** The error a call fails with. */
async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error: unknown) {
    if (error instanceof Error) return error;
    throw error;
  }
  throw new Error('the call succeeded but should have failed');
}

describe('local Scheduler: schedules', () => {
  useLocalAws();
  const scheduler = () => new SchedulerClient({});

  it('creates a schedule in the default group, with its ARN', async () => {
    const { ScheduleArn } = await scheduler().send(new CreateScheduleCommand(minimal('created')));

    expect(ScheduleArn).toBe('arn:aws:scheduler:eu-west-1:000000000000:schedule/default/created');
  });

  it('reads a schedule back with the defaults Scheduler fills in', async () => {
    await scheduler().send(new CreateScheduleCommand(minimal('defaults', { State: undefined })));
    await scheduler().send(new UpdateScheduleCommand(minimal('defaults', { State: 'DISABLED' })));

    const schedule = await scheduler().send(new GetScheduleCommand({ Name: 'defaults' }));

    expect(schedule).toMatchObject({
      Name: 'defaults',
      GroupName: 'default',
      ScheduleExpression: 'rate(5 minutes)',
      ScheduleExpressionTimezone: 'UTC',
      State: 'DISABLED',
      ActionAfterCompletion: 'NONE',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: QUEUE,
        RoleArn: ROLE,
        RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
      },
    });
    expect(schedule.CreationDate).toBeInstanceOf(Date);
    expect(schedule.Description).toBeUndefined();
  });

  it('keeps every field it was given', async () => {
    const start = new Date(Date.now() + 3_600_000);
    const end = new Date(Date.now() + 7_200_000);
    await scheduler().send(
      new CreateScheduleCommand({
        Name: 'full',
        ScheduleExpression: 'cron(0 9 ? * MON-FRI *)',
        ScheduleExpressionTimezone: 'Europe/Paris',
        StartDate: start,
        EndDate: end,
        Description: 'Weekday mornings',
        State: 'DISABLED',
        FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
        ActionAfterCompletion: 'DELETE',
        Target: {
          Arn: QUEUE,
          RoleArn: ROLE,
          Input: '{"at": "<aws.scheduler.scheduled-time>"}',
          RetryPolicy: { MaximumEventAgeInSeconds: 60, MaximumRetryAttempts: 0 },
          DeadLetterConfig: { Arn: 'arn:aws:sqs:eu-west-1:000000000000:dlq' },
        },
      }),
    );

    const schedule = await scheduler().send(new GetScheduleCommand({ Name: 'full' }));

    expect(schedule).toMatchObject({
      ScheduleExpressionTimezone: 'Europe/Paris',
      Description: 'Weekday mornings',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
      ActionAfterCompletion: 'DELETE',
      Target: {
        Input: '{"at": "<aws.scheduler.scheduled-time>"}',
        RetryPolicy: { MaximumEventAgeInSeconds: 60, MaximumRetryAttempts: 0 },
        DeadLetterConfig: { Arn: 'arn:aws:sqs:eu-west-1:000000000000:dlq' },
      },
    });
    expect(schedule.StartDate?.getTime()).toBe(start.getTime());
    expect(schedule.EndDate?.getTime()).toBe(end.getTime());
  });

  it('refuses a second schedule of the same name with ConflictException', async () => {
    await scheduler().send(new CreateScheduleCommand(minimal('twice')));

    const error = await failure(scheduler().send(new CreateScheduleCommand(minimal('twice'))));

    expect(error).toBeInstanceOf(ConflictException);
    expect(error.message).toBe('Schedule twice already exists.');
  });

  it('answers ResourceNotFoundException for a schedule that does not exist', async () => {
    const error = await failure(scheduler().send(new GetScheduleCommand({ Name: 'missing' })));

    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.message).toBe('Schedule missing does not exist.');
  });

  it('replaces the whole definition on update: what is left out is reset', async () => {
    await scheduler().send(
      new CreateScheduleCommand(
        minimal('replaced', {
          Description: 'before',
          Target: { Arn: QUEUE, RoleArn: ROLE, Input: '{"a": 1}' },
        }),
      ),
    );

    await scheduler().send(
      new UpdateScheduleCommand(minimal('replaced', { ScheduleExpression: 'rate(1 hour)' })),
    );
    const schedule = await scheduler().send(new GetScheduleCommand({ Name: 'replaced' }));

    expect(schedule.ScheduleExpression).toBe('rate(1 hour)');
    expect(schedule.Description).toBeUndefined();
    expect(schedule.Target?.Input).toBeUndefined();
  });

  it('cannot update a schedule that does not exist', async () => {
    const error = await failure(scheduler().send(new UpdateScheduleCommand(minimal('nowhere'))));

    expect(error).toBeInstanceOf(ResourceNotFoundException);
  });

  it('deletes a schedule, and a second delete finds nothing', async () => {
    await scheduler().send(new CreateScheduleCommand(minimal('deleted')));

    await scheduler().send(new DeleteScheduleCommand({ Name: 'deleted' }));
    const again = await failure(scheduler().send(new DeleteScheduleCommand({ Name: 'deleted' })));

    expect(again).toBeInstanceOf(ResourceNotFoundException);
    expect(again.message).toBe('Schedule deleted does not exist.');
  });

  it.each(['rate(10 seconds)', 'cron(0 1 * * * *)', 'cron(71 8 1 * ? *)', 'at(2021-12-31)'])(
    'refuses %s with Scheduler’s message',
    async (expression) => {
      const error = await failure(
        scheduler().send(
          new CreateScheduleCommand(minimal('bad-expression', { ScheduleExpression: expression })),
        ),
      );

      expect(error).toBeInstanceOf(ValidationException);
      expect(error.message).toBe(`Invalid Schedule Expression ${expression}.`);
    },
  );

  it('refuses a time zone that does not exist, naming it', async () => {
    const error = await failure(
      scheduler().send(
        new CreateScheduleCommand(minimal('bad-zone', { ScheduleExpressionTimezone: 'Mars/Base' })),
      ),
    );

    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toContain('Mars/Base');
  });

  it('refuses a FLEXIBLE window without its size', async () => {
    const error = await failure(
      scheduler().send(
        new CreateScheduleCommand(
          minimal('bad-window', { FlexibleTimeWindow: { Mode: 'FLEXIBLE' } }),
        ),
      ),
    );

    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toContain('MaximumWindowInMinutes');
  });

  it('refuses a retry policy out of range, naming the field', async () => {
    const error = await failure(
      scheduler().send(
        new CreateScheduleCommand(
          minimal('bad-retry', {
            Target: { Arn: QUEUE, RoleArn: ROLE, RetryPolicy: { MaximumRetryAttempts: 186 } },
          }),
        ),
      ),
    );

    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toContain("at 'target.retryPolicy.maximumRetryAttempts'");
  });

  it('refuses a StartDate more than five minutes ago', async () => {
    const error = await failure(
      scheduler().send(
        new CreateScheduleCommand(
          minimal('bad-start', { StartDate: new Date(Date.now() - 3_600_000) }),
        ),
      ),
    );

    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toContain('StartDate');
  });

  it('refuses a target it cannot deliver to, saying what it can', async () => {
    const error = await failure(
      scheduler().send(
        new CreateScheduleCommand(
          minimal('bad-target', {
            Target: { Arn: 'arn:aws:states:eu-west-1:000000000000:stateMachine:x', RoleArn: ROLE },
          }),
        ),
      ),
    );

    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toContain('Lambda functions');
  });

  it('refuses a schedule in a group that does not exist', async () => {
    const error = await failure(
      scheduler().send(new CreateScheduleCommand(minimal('orphan', { GroupName: 'no-group' }))),
    );

    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.message).toBe('Schedule group no-group does not exist.');
  });

  it('lists schedules by prefix, state and group, a page at a time', async () => {
    await scheduler().send(new CreateScheduleGroupCommand({ Name: 'listing' }));
    for (const name of ['list-a', 'list-b', 'list-c']) {
      await scheduler().send(new CreateScheduleCommand(minimal(name, { GroupName: 'listing' })));
    }
    await scheduler().send(new CreateScheduleCommand(minimal('list-d')));

    const first = await scheduler().send(
      new ListSchedulesCommand({ GroupName: 'listing', NamePrefix: 'list-', MaxResults: 2 }),
    );
    const second = await scheduler().send(
      new ListSchedulesCommand({
        GroupName: 'listing',
        NamePrefix: 'list-',
        NextToken: first.NextToken,
      }),
    );
    const enabled = await scheduler().send(
      new ListSchedulesCommand({ NamePrefix: 'list-', State: 'ENABLED' }),
    );
    const everywhere = await scheduler().send(new ListSchedulesCommand({ NamePrefix: 'list-' }));

    expect(first.Schedules?.map((schedule) => schedule.Name)).toEqual(['list-a', 'list-b']);
    expect(second.Schedules?.map((schedule) => schedule.Name)).toEqual(['list-c']);
    expect(second.NextToken).toBeUndefined();
    expect(first.Schedules?.[0]).toMatchObject({
      GroupName: 'listing',
      State: 'DISABLED',
      Target: { Arn: QUEUE },
    });
    expect(enabled.Schedules).toEqual([]);
    expect(everywhere.Schedules).toHaveLength(4);
  });

  it('keeps schedules of each region apart', async () => {
    await scheduler().send(new CreateScheduleCommand(minimal('regional')));

    const elsewhere = new SchedulerClient({ region: 'us-west-2' });
    const error = await failure(elsewhere.send(new GetScheduleCommand({ Name: 'regional' })));

    expect(error).toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('local Scheduler: schedule groups', () => {
  useLocalAws();
  const scheduler = () => new SchedulerClient({});

  it('has a default group, listed first', async () => {
    await scheduler().send(new CreateScheduleGroupCommand({ Name: 'alpha' }));

    const { ScheduleGroups } = await scheduler().send(new ListScheduleGroupsCommand({}));

    expect(ScheduleGroups?.map((group) => group.Name)).toEqual(['default', 'alpha']);
    expect(ScheduleGroups?.[0]).toMatchObject({
      Arn: 'arn:aws:scheduler:eu-west-1:000000000000:schedule-group/default',
      State: 'ACTIVE',
    });
  });

  it('creates and reads a group', async () => {
    const { ScheduleGroupArn } = await scheduler().send(
      new CreateScheduleGroupCommand({ Name: 'reports' }),
    );

    const group = await scheduler().send(new GetScheduleGroupCommand({ Name: 'reports' }));

    expect(ScheduleGroupArn).toBe(
      'arn:aws:scheduler:eu-west-1:000000000000:schedule-group/reports',
    );
    expect(group).toMatchObject({ Name: 'reports', State: 'ACTIVE', Arn: ScheduleGroupArn });
  });

  it('refuses a duplicate group with ConflictException', async () => {
    await scheduler().send(new CreateScheduleGroupCommand({ Name: 'dup' }));

    const error = await failure(scheduler().send(new CreateScheduleGroupCommand({ Name: 'dup' })));

    expect(error).toBeInstanceOf(ConflictException);
  });

  it('deletes a group with its schedules', async () => {
    await scheduler().send(new CreateScheduleGroupCommand({ Name: 'doomed' }));
    await scheduler().send(new CreateScheduleCommand(minimal('inside', { GroupName: 'doomed' })));

    await scheduler().send(new DeleteScheduleGroupCommand({ Name: 'doomed' }));
    const { Schedules } = await scheduler().send(
      new ListSchedulesCommand({ NamePrefix: 'inside' }),
    );
    const error = await failure(scheduler().send(new GetScheduleGroupCommand({ Name: 'doomed' })));

    expect(Schedules).toEqual([]);
    expect(error).toBeInstanceOf(ResourceNotFoundException);
  });

  it('will not delete the default group', async () => {
    const error = await failure(
      scheduler().send(new DeleteScheduleGroupCommand({ Name: 'default' })),
    );

    expect(error).toBeInstanceOf(ValidationException);
  });

  it('tags a group, lists and removes its tags', async () => {
    const { ScheduleGroupArn } = await scheduler().send(
      new CreateScheduleGroupCommand({ Name: 'tagged', Tags: [{ Key: 'team', Value: 'data' }] }),
    );

    await scheduler().send(
      new TagResourceCommand({
        ResourceArn: ScheduleGroupArn,
        Tags: [{ Key: 'stage', Value: 'dev' }],
      }),
    );
    await scheduler().send(
      new UntagResourceCommand({ ResourceArn: ScheduleGroupArn, TagKeys: ['team'] }),
    );
    const { Tags } = await scheduler().send(
      new ListTagsForResourceCommand({ ResourceArn: ScheduleGroupArn }),
    );

    expect(Tags).toEqual([{ Key: 'stage', Value: 'dev' }]);
  });
});
