import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Clock } from '../../local/clock.js';
import { startLocalAws } from '../../local/index.js';
import {
  ScheduleConflictError,
  ScheduleNotFoundError,
  SchedulerService,
} from '../../local/scheduler/index.js';
import type { ScheduleInput } from '../../local/scheduler/index.js';

const ROLE = 'arn:aws:iam::000000000000:role/scheduler-role';
const FUNCTION = 'arn:aws:lambda:us-east-1:000000000000:function:recorder';
const folders: string[] = [];

afterAll(async () => {
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
});

async function folder(): Promise<string> {
  const made = await mkdtemp(join(tmpdir(), 'scheduler-'));
  folders.push(made);
  return made;
}

function definition(name: string, overrides: Partial<ScheduleInput> = {}): ScheduleInput {
  return {
    Name: name,
    ScheduleExpression: 'rate(1 hour)',
    FlexibleTimeWindow: { Mode: 'OFF' },
    Target: { Arn: FUNCTION, RoleArn: ROLE, Input: '{"time": "<aws.scheduler.scheduled-time>"}' },
    ...overrides,
  };
}

/** Waits (real time) until a condition holds. */
async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A Scheduler whose Lambda target records each invocation and the (scaled) time it came. */
async function recordingScheduler(options: { scale: number; random?: () => number }) {
  const clock = new Clock(options.scale);
  const invocations: { arn: string; payload: string; at: number }[] = [];
  const service = new SchedulerService({
    stateDir: await folder(),
    clock,
    random: options.random,
    targets: {
      invokeAsync: async (arn, payload) => {
        invocations.push({ arn, payload, at: clock.now() });
      },
      sendMessage: async () => {
        throw new Error('no queue in this test');
      },
      publish: async () => {
        throw new Error('no topic in this test');
      },
    },
  });
  await service.start();
  return { clock, service, invocations };
}

describe('SchedulerService (in-process API)', () => {
  const services: SchedulerService[] = [];
  afterEach(async () => {
    await Promise.all(services.splice(0).map((service) => service.close()));
  });

  it('creates, reads, replaces and deletes a schedule, as CloudFormation will', async () => {
    const { service } = await recordingScheduler({ scale: 1 });
    services.push(service);

    const created = await service.createSchedule(
      'us-east-1',
      definition('typed', { State: 'DISABLED' }),
    );
    await service.updateSchedule(
      'us-east-1',
      definition('typed', { State: 'DISABLED', ScheduleExpression: 'cron(0 6 * * ? *)' }),
    );
    const read = service.getSchedule({ region: 'us-east-1', name: 'typed' });
    await service.deleteSchedule({ region: 'us-east-1', name: 'typed' });

    expect(created.arn).toBe('arn:aws:scheduler:us-east-1:000000000000:schedule/default/typed');
    expect(read.expression).toBe('cron(0 6 * * ? *)');
    expect(() => service.getSchedule({ region: 'us-east-1', name: 'typed' })).toThrow(
      ScheduleNotFoundError,
    );
  });

  it('throws typed errors for a duplicate and for a bad definition', async () => {
    const { service } = await recordingScheduler({ scale: 1 });
    services.push(service);
    await service.createSchedule('us-east-1', definition('once', { State: 'DISABLED' }));

    await expect(
      service.createSchedule('us-east-1', definition('once', { State: 'DISABLED' })),
    ).rejects.toBeInstanceOf(ScheduleConflictError);
    await expect(
      service.createSchedule('us-east-1', definition('bad', { ScheduleExpression: 'rate(1)' })),
    ).rejects.toMatchObject({
      code: 'ValidationException',
      message: 'Invalid Schedule Expression rate(1).',
    });
  });

  it('fires a FLEXIBLE schedule inside its window, where the random number puts it', async () => {
    // At 600 times, the 10-minute window is one real second; 0.5 lands in its middle.
    const { service, invocations } = await recordingScheduler({
      scale: 600,
      random: () => 0.5,
    });
    services.push(service);

    const schedule = await service.createSchedule(
      'us-east-1',
      definition('flexible', {
        FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 10 },
      }),
    );
    await until(() => invocations.length === 1);

    const delay = invocations[0]!.at - schedule.created;
    expect(delay).toBeGreaterThanOrEqual(300_000);
    expect(delay).toBeLessThan(360_000);
    // The scheduled time is the window's start, not when it fired.
    const time = (JSON.parse(invocations[0]!.payload) as { time: string }).time;
    expect(Date.parse(time)).toBe(Math.floor(schedule.created / 1000) * 1000);
  });

  it('stops firing once a schedule is deleted', async () => {
    const { service, invocations } = await recordingScheduler({ scale: 600 });
    services.push(service);

    await service.createSchedule(
      'us-east-1',
      definition('short-lived', { ScheduleExpression: 'rate(1 minute)' }),
    );
    await until(() => invocations.length >= 1);
    await service.deleteSchedule({ region: 'us-east-1', name: 'short-lived' });
    const count = invocations.length;
    await new Promise((resolve) => setTimeout(resolve, 500));

    expect(invocations.length).toBe(count);
  });
});

describe('local Scheduler across a restart', () => {
  it('keeps its schedules and arms them again from the new run', async () => {
    const stateDir = await folder();
    const first = await startLocalAws({ port: 0, stateDir });
    const queue = await (
      await first.service('sqs')
    ).createQueue({ name: 'restart-target', region: 'us-east-1' });
    // Half an hour from now: nothing fires before the stop.
    const startDate = new Date(first.clock.now() + 1_800_000);
    await (
      await first.service('scheduler')
    ).createSchedule(
      'us-east-1',
      definition('survivor', {
        StartDate: startDate,
        Target: { Arn: queue.arn, RoleArn: ROLE, Input: '<aws.scheduler.scheduled-time>' },
      }),
    );
    await first.stop();

    // At 3,600 times, the half hour passes in half a second.
    const second = await startLocalAws({ port: 0, stateDir, timeScale: 3600 });
    try {
      // Started by its saved schedule, with no call: the field reads it without a start.
      expect(second.started()).toContain('scheduler');
      const survivor = second.scheduler.getSchedule({ region: 'us-east-1', name: 'survivor' });
      const bodies: string[] = [];
      const deadline = Date.now() + 10_000;
      while (bodies.length === 0 && Date.now() < deadline) {
        const messages = await (
          await second.service('sqs')
        ).receiveMessages(queue.arn, { waitTimeSeconds: 20 });
        bodies.push(...messages.map((message) => message.Body));
      }

      expect(survivor.startDate).toBe(startDate.getTime());
      expect(bodies[0]).toBe(startDate.toISOString().replace(/\.\d{3}Z$/, 'Z'));
    } finally {
      await second.stop();
    }
  });
});
