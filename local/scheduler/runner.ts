import { randomUUID } from 'node:crypto';
import { messageOf } from '../../lib/errors.js';
import type { Clock } from '../clock.js';
import { AwsError } from '../http.js';
import type { MessageAttribute } from '../sqs/index.js';
import { targetKind } from './definition.js';
import { nextFiring, parseExpression } from './expressions.js';
import type { Schedule } from './store.js';

/** Where schedules deliver: the in-process APIs of local Lambda, SQS and SNS. */
export interface SchedulerTargets {
  /** Queues an asynchronous (`Event`) invocation; rejects when the function cannot take it. */
  invokeAsync(functionArn: string, payload: string): Promise<unknown>;
  /** Sends a message to a queue by ARN; rejects when the queue does not exist. */
  sendMessage(
    queueArn: string,
    body: string,
    attributes?: Record<string, MessageAttribute>,
  ): Promise<unknown>;
  /** Publishes a message to a topic by ARN; rejects when the topic does not exist. */
  publish(topicArn: string, message: string): Promise<unknown>;
  /**
   * Rejects a delivery the schedule's role may not make (`lambda:InvokeFunction`...), as
   * Scheduler acts with that role; absent, every delivery is made.
   */
  permit?(
    schedule: { scheduleArn: string; roleArn: string },
    action: string,
    targetArn: string,
  ): Promise<void>;
}

/** The IAM action each kind of target is delivered with. */
const TARGET_ACTIONS = {
  lambda: 'lambda:InvokeFunction',
  sns: 'sns:Publish',
  sqs: 'sqs:SendMessage',
} as const;

/** What the runner is built from; time, randomness and ids are passed in so tests repeat. */
export interface RunnerOptions {
  clock: Clock;
  targets: SchedulerTargets;
  /** A number in [0, 1): where in a flexible time window a firing lands. */
  random?: () => number;
  /** A new execution id (Scheduler's are 16 hex characters). */
  executionId?: () => string;
  log?: (line: string) => void;
  /** Called once a schedule whose ActionAfterCompletion is DELETE has no firing left. */
  completed(schedule: Schedule): Promise<void>;
}

/** Scheduler's first retry waits this long, then each wait doubles up to {@link MAX_RETRY_DELAY_MS}. */
export const FIRST_RETRY_DELAY_MS = 1_000;
/** The longest wait between two attempts of one delivery. */
export const MAX_RETRY_DELAY_MS = 60_000;
/** Node's longest timer (about 24.8 days, in real ms): a later firing re-arms on the way. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** `2022-03-22T18:59:43Z`, as `<aws.scheduler.scheduled-time>` reads. */
export function scheduledTimeText(instant: number): string {
  return new Date(instant).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The Input with Scheduler's context attributes substituted. */
export function substituteContext(
  input: string,
  context: { scheduleArn: string; scheduledTime: string; executionId: string; attempt: number },
): string {
  return input
    .replaceAll('<aws.scheduler.schedule-arn>', context.scheduleArn)
    .replaceAll('<aws.scheduler.scheduled-time>', context.scheduledTime)
    .replaceAll('<aws.scheduler.execution-id>', context.executionId)
    .replaceAll('<aws.scheduler.attempt-number>', String(context.attempt));
}

function defaultExecutionId(): string {
  return randomUUID().replaceAll('-', '').slice(0, 16);
}

/**
 * Fires schedules on the shared clock: one timer per enabled schedule for its next firing, each
 * firing delivered to the target with the schedule's retry policy and, when that runs out, sent
 * to its dead-letter queue. Timers do not keep the process alive; firings missed while local AWS
 * was stopped, or while the process stalled, are not replayed.
 */
export class ScheduleRunner {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly deliveries = new Set<Promise<void>>();
  /** Wakes each retry that is waiting, so closing never waits out a back-off. */
  private readonly wakers = new Set<() => void>();
  private closed = false;
  private readonly random: () => number;
  private readonly executionId: () => string;
  private readonly log: (line: string) => void;

  constructor(private readonly options: RunnerOptions) {
    this.random = options.random ?? Math.random;
    this.executionId = options.executionId ?? defaultExecutionId;
    this.log = options.log ?? (() => undefined);
  }

  /** (Re)arms a schedule's timer for its next firing at or after `notBefore` (default now). */
  arm(schedule: Schedule, notBefore = this.options.clock.now()): void {
    this.disarm(schedule.arn);
    if (this.closed || schedule.state !== 'ENABLED') return;
    const next = nextFiring(parseExpression(schedule.expression), notBefore, {
      timeZone: schedule.timeZone,
      anchor: schedule.startDate ?? schedule.modified,
      startDate: schedule.startDate,
      endDate: schedule.endDate,
    });
    if (next === undefined) {
      if (schedule.actionAfterCompletion === 'DELETE') this.track(this.options.completed(schedule));
      return;
    }
    const window = schedule.flexibleTimeWindow;
    const jitter =
      window.Mode === 'FLEXIBLE'
        ? Math.floor(this.random() * (window.MaximumWindowInMinutes ?? 0) * 60_000)
        : 0;
    this.at(schedule.arn, next + jitter, () => {
      this.track(this.deliver(schedule, next));
      this.arm(schedule, Math.max(next + 1, this.options.clock.now()));
    });
  }

  /** Stops a schedule's timer (deliveries already under way finish). */
  disarm(scheduleArn: string): void {
    clearTimeout(this.timers.get(scheduleArn));
    this.timers.delete(scheduleArn);
  }

  /** Stops every timer and retry; waits for deliveries under way. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const wake of this.wakers) wake();
    await Promise.allSettled([...this.deliveries]);
  }

  /** Runs `fire` at a scaled instant, in hops no longer than Node's longest timer. */
  private at(key: string, instant: number, fire: () => void): void {
    const clock = this.options.clock;
    const wait = instant - clock.now();
    const longest = MAX_TIMER_MS * clock.scale;
    const timer =
      wait > longest
        ? clock.setTimeout(() => this.at(key, instant, fire), longest)
        : clock.setTimeout(fire, wait);
    this.timers.set(key, timer);
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => this.log(`scheduler: ${messageOf(error)}`));
    this.deliveries.add(tracked);
    void tracked.finally(() => this.deliveries.delete(tracked));
  }

  /** One firing: attempts until delivered, out of retries or too old; then the dead-letter queue. */
  private async deliver(schedule: Schedule, scheduled: number): Promise<void> {
    const clock = this.options.clock;
    const policy = schedule.target.RetryPolicy;
    const executionId = this.executionId();
    const context = {
      scheduleArn: schedule.arn,
      scheduledTime: scheduledTimeText(scheduled),
      executionId,
    };
    for (let attempt = 1; ; attempt++) {
      const payload = substituteContext(schedule.target.Input ?? '{}', { ...context, attempt });
      try {
        await this.send(schedule, payload);
        return;
      } catch (error: unknown) {
        const retries = attempt - 1;
        const delay = Math.min(FIRST_RETRY_DELAY_MS * 2 ** retries, MAX_RETRY_DELAY_MS);
        const tooOld = clock.now() + delay - scheduled > policy.MaximumEventAgeInSeconds * 1000;
        if (retries >= policy.MaximumRetryAttempts || tooOld) {
          const condition =
            tooOld && retries < policy.MaximumRetryAttempts
              ? 'MaximumEventAgeInSeconds'
              : 'MaximumRetryAttempts';
          await this.deadLetter(schedule, {
            payload,
            error,
            retries,
            condition,
            executionId,
            scheduled,
          });
          return;
        }
        await this.sleep(delay);
        if (this.closed) return;
      }
    }
  }

  /** A scaled wait that {@link close} cuts short. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = this.options.clock.setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }

  private async send(schedule: Schedule, payload: string): Promise<void> {
    const targets = this.options.targets;
    const arn = schedule.target.Arn;
    const kind = targetKind(arn);
    await targets.permit?.(
      { scheduleArn: schedule.arn, roleArn: schedule.target.RoleArn },
      TARGET_ACTIONS[kind ?? 'sqs'],
      arn,
    );
    switch (kind) {
      case 'lambda':
        await targets.invokeAsync(arn, payload);
        return;
      case 'sns':
        await targets.publish(arn, payload);
        return;
      default:
        await targets.sendMessage(arn, payload);
    }
  }

  /** Sends the undelivered event to the dead-letter queue with the attributes Scheduler documents. */
  private async deadLetter(
    schedule: Schedule,
    failure: {
      payload: string;
      error: unknown;
      retries: number;
      condition: string;
      executionId: string;
      scheduled: number;
    },
  ): Promise<void> {
    const code =
      failure.error instanceof AwsError
        ? failure.error.code
        : failure.error instanceof Error
          ? failure.error.name
          : 'Error';
    const message = messageOf(failure.error);
    const queue = schedule.target.DeadLetterConfig?.Arn;
    this.log(
      `scheduler: ${schedule.arn} could not deliver to ${schedule.target.Arn} (${code}: ${message})` +
        (queue ? `; sent to ${queue}` : '; dropped (no dead-letter queue)'),
    );
    if (!queue) return;
    const attributes: Record<string, string> = {
      ERROR_CODE: code,
      ERROR_MESSAGE: message,
      EXECUTION_ID: failure.executionId,
      EXHAUSTED_RETRY_CONDITION: failure.condition,
      IS_PAYLOAD_TRUNCATED: 'false',
      RETRY_ATTEMPTS: String(failure.retries),
      SCHEDULED_TIME: scheduledTimeText(failure.scheduled),
      SCHEDULE_ARN: schedule.arn,
      TARGET_ARN: schedule.target.Arn,
    };
    await this.options.targets.sendMessage(
      queue,
      failure.payload,
      Object.fromEntries(
        Object.entries(attributes).map(([name, value]) => [
          name,
          { DataType: 'String', StringValue: value },
        ]),
      ),
    );
  }
}
