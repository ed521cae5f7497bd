import type { IncomingMessage, ServerResponse } from 'node:http';
import { Clock } from '../clock.js';
import { AwsError, readBody, sendJson } from '../http.js';
import {
  checkName,
  invalidField,
  readDefinition,
  SchedulerError,
  SchedulerValidationError,
} from './definition.js';
import type { ScheduleInput } from './definition.js';
import { ScheduleRunner } from './runner.js';
import type { SchedulerTargets } from './runner.js';
import { DEFAULT_GROUP, ScheduleStore } from './store.js';
import type { Schedule, ScheduleGroup, Tag } from './store.js';

export {
  ScheduleConflictError,
  ScheduleNotFoundError,
  SchedulerError,
  SchedulerValidationError,
} from './definition.js';
export type { ScheduleInput, Target, RetryPolicy, FlexibleTimeWindow } from './definition.js';
export type { SchedulerTargets } from './runner.js';
export type { Schedule, ScheduleGroup, Tag } from './store.js';

type Json = Record<string, unknown>;

/** What the Scheduler service is built from. */
export interface SchedulerOptions {
  stateDir: string;
  clock?: Clock;
  targets: SchedulerTargets;
  /** A number in [0, 1): where in a flexible time window a firing lands. */
  random?: () => number;
  /** A new execution id for each firing. */
  executionId?: () => string;
  log?: (line: string) => void;
}

/** Where a schedule is: its region, group and name. */
export interface ScheduleKey {
  region: string;
  name: string;
  groupName?: string;
}

const MAX_RESULTS = 100;

/** Epoch seconds, as the REST-JSON protocol carries timestamps. */
function seconds(ms: number): number {
  return ms / 1000;
}

/** GetSchedule's output. */
function scheduleOutput(schedule: Schedule): Json {
  return {
    Arn: schedule.arn,
    GroupName: schedule.groupName,
    Name: schedule.name,
    ScheduleExpression: schedule.expression,
    ScheduleExpressionTimezone: schedule.timeZone,
    StartDate: schedule.startDate === undefined ? undefined : seconds(schedule.startDate),
    EndDate: schedule.endDate === undefined ? undefined : seconds(schedule.endDate),
    Description: schedule.description,
    State: schedule.state,
    CreationDate: seconds(schedule.created),
    LastModificationDate: seconds(schedule.modified),
    KmsKeyArn: schedule.kmsKeyArn,
    Target: schedule.target,
    FlexibleTimeWindow: schedule.flexibleTimeWindow,
    ActionAfterCompletion: schedule.actionAfterCompletion,
  };
}

function groupOutput(group: ScheduleGroup): Json {
  return {
    Arn: group.arn,
    Name: group.name,
    State: 'ACTIVE',
    CreationDate: seconds(group.created),
    LastModificationDate: seconds(group.modified),
  };
}

/** One page of a list: `MaxResults` (1-100) items from `NextToken`. */
function page<T>(items: T[], query: URLSearchParams): { items: T[]; NextToken?: string } {
  const maxText = query.get('MaxResults');
  const max = maxText === null ? MAX_RESULTS : Number(maxText);
  if (!Number.isInteger(max) || max < 1 || max > MAX_RESULTS)
    throw invalidField('maxResults', maxText, 'Member must have value between 1 and 100');
  const token = query.get('NextToken');
  const start = token === null ? 0 : Number(Buffer.from(token, 'base64').toString('utf8'));
  if (!Number.isInteger(start) || start < 0 || start > items.length)
    throw new SchedulerValidationError('Invalid NextToken.');
  const slice = items.slice(start, start + max);
  const next = start + slice.length;
  return {
    items: slice,
    NextToken: next < items.length ? Buffer.from(String(next)).toString('base64') : undefined,
  };
}

function readTags(value: unknown): Tag[] {
  if (value === undefined || value === null) return [];
  if (
    !Array.isArray(value) ||
    value.some(
      (tag: unknown) =>
        typeof tag !== 'object' ||
        tag === null ||
        typeof (tag as Json).Key !== 'string' ||
        typeof (tag as Json).Value !== 'string',
    )
  )
    throw invalidField(
      'tags',
      JSON.stringify(value),
      'Member must be a list of {Key, Value} strings',
    );
  return (value as Tag[]).map(({ Key, Value }) => ({ Key, Value }));
}

/** Answers a REST-JSON error as Scheduler does: `x-amzn-errortype` and `{"Message": ...}`. */
function sendError(response: ServerResponse, error: AwsError): void {
  response.setHeader('x-amzn-errortype', error.code);
  sendJson(response, error.status, { Message: error.message }, 'application/json');
}

/**
 * EventBridge Scheduler, built here: schedules and schedule groups over the REST-JSON protocol,
 * fired on the shared clock to local Lambda and SQS, and a typed in-process API for CloudFormation.
 */
export class SchedulerService {
  private readonly store: ScheduleStore;
  private readonly runner: ScheduleRunner;
  private readonly clock: Clock;

  constructor(options: SchedulerOptions) {
    this.clock = options.clock ?? new Clock();
    this.store = new ScheduleStore(options.stateDir, () => this.clock.now());
    this.runner = new ScheduleRunner({
      clock: this.clock,
      targets: options.targets,
      random: options.random,
      executionId: options.executionId,
      log: options.log,
      completed: async (schedule) => {
        if (
          this.store.find(schedule.region, schedule.groupName, schedule.name)?.modified ===
          schedule.modified
        )
          await this.store.delete(schedule.region, schedule.groupName, schedule.name);
      },
    });
  }

  /** Loads the schedules of the previous run. */
  async start(): Promise<void> {
    await this.store.load();
  }

  /** Arms the loaded schedules from now: firings missed while stopped are not replayed. */
  resume(): void {
    for (const schedule of this.store.all()) this.runner.arm(schedule);
  }

  /** Stops every timer, waits for deliveries under way and the last write. */
  async close(): Promise<void> {
    await this.runner.close();
    await this.store.flush();
  }

  /** CreateSchedule; returns the new schedule (its `arn` is CreateSchedule's ScheduleArn). */
  async createSchedule(region: string, input: ScheduleInput | Json): Promise<Schedule> {
    const schedule = await this.store.create(region, readDefinition(input, this.clock.now()));
    // From when it was made, not from after the write: a rate schedule fires at once.
    this.runner.arm(schedule, schedule.modified);
    return schedule;
  }

  /** UpdateSchedule: replaces the whole definition, as AWS does (what is left out is reset). */
  async updateSchedule(region: string, input: ScheduleInput | Json): Promise<Schedule> {
    const schedule = await this.store.update(region, readDefinition(input, this.clock.now()));
    this.runner.arm(schedule, schedule.modified);
    return schedule;
  }

  /** GetSchedule; {@link ScheduleNotFoundError} when there is none. */
  getSchedule(key: ScheduleKey): Schedule {
    return this.store.get(key.region, checkGroup(key.groupName), checkName(key.name, 'name'));
  }

  /** DeleteSchedule; {@link ScheduleNotFoundError} when there is none. */
  async deleteSchedule(key: ScheduleKey): Promise<void> {
    const removed = await this.store.delete(
      key.region,
      checkGroup(key.groupName),
      checkName(key.name, 'name'),
    );
    this.runner.disarm(removed.arn);
  }

  /** Serves one Scheduler REST-JSON request. */
  async handle(
    request: IncomingMessage,
    response: ServerResponse,
    region: string,
    url: URL,
  ): Promise<void> {
    try {
      const text = (await readBody(request)).toString('utf8');
      let body: Json = {};
      try {
        body = text ? (JSON.parse(text) as Json) : {};
      } catch {
        throw new SchedulerValidationError('The request body is not valid JSON.');
      }
      const output = await this.route(request.method ?? 'GET', url, body, region);
      sendJson(response, 200, output, 'application/json');
    } catch (error: unknown) {
      if (!(error instanceof AwsError)) throw error;
      sendError(response, error);
    }
  }

  private async route(method: string, url: URL, body: Json, region: string): Promise<Json> {
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const [collection, name, ...rest] = parts;
    const query = url.searchParams;
    if (rest.length === 0 && collection === 'schedules' && name !== undefined) {
      const key = { region, name, groupName: query.get('groupName') ?? undefined };
      switch (method) {
        case 'POST':
          return { ScheduleArn: (await this.createSchedule(region, { ...body, Name: name })).arn };
        case 'PUT':
          return { ScheduleArn: (await this.updateSchedule(region, { ...body, Name: name })).arn };
        case 'GET':
          return scheduleOutput(this.getSchedule(key));
        case 'DELETE':
          await this.deleteSchedule(key);
          return {};
      }
    }
    if (rest.length === 0 && collection === 'schedules' && name === undefined && method === 'GET')
      return this.listSchedules(region, query);
    if (rest.length === 0 && collection === 'schedule-groups' && name !== undefined) {
      switch (method) {
        case 'POST': {
          const group = await this.store.createGroup(region, name, readTags(body.Tags));
          return { ScheduleGroupArn: group.arn };
        }
        case 'GET':
          return groupOutput(this.store.group(region, checkName(name, 'name')));
        case 'DELETE':
          for (const schedule of await this.store.deleteGroup(region, checkName(name, 'name')))
            this.runner.disarm(schedule.arn);
          return {};
      }
    }
    if (collection === 'schedule-groups' && name === undefined && method === 'GET') {
      const prefix = query.get('NamePrefix') ?? '';
      const { items, NextToken } = page(
        this.store.groups(region).filter((group) => group.name.startsWith(prefix)),
        query,
      );
      return { ScheduleGroups: items.map(groupOutput), NextToken };
    }
    if (collection === 'tags' && name !== undefined) {
      const resourceArn = [name, ...rest].join('/');
      switch (method) {
        case 'GET':
          return { Tags: this.store.tags(resourceArn) };
        case 'POST':
          await this.store.tag(resourceArn, readTags(body.Tags));
          return {};
        case 'DELETE':
          await this.store.untag(resourceArn, query.getAll('TagKeys'));
          return {};
      }
    }
    throw new SchedulerError(
      'UnknownOperationException',
      `local AWS's Scheduler does not serve ${method} ${url.pathname}`,
      404,
    );
  }

  private listSchedules(region: string, query: URLSearchParams): Json {
    const group = query.get('ScheduleGroup');
    if (group !== null) this.store.group(region, checkName(group, 'groupName'));
    const prefix = query.get('NamePrefix') ?? '';
    const state = query.get('State');
    if (state !== null && state !== 'ENABLED' && state !== 'DISABLED')
      throw invalidField('state', state, 'Member must satisfy enum value set: [ENABLED, DISABLED]');
    const matching = this.store
      .schedules(region)
      .filter(
        (schedule) =>
          (group === null || schedule.groupName === group) &&
          schedule.name.startsWith(prefix) &&
          (state === null || schedule.state === state),
      );
    const { items, NextToken } = page(matching, query);
    return {
      Schedules: items.map((schedule) => ({
        Arn: schedule.arn,
        Name: schedule.name,
        GroupName: schedule.groupName,
        State: schedule.state,
        CreationDate: seconds(schedule.created),
        LastModificationDate: seconds(schedule.modified),
        Target: { Arn: schedule.target.Arn },
      })),
      NextToken,
    };
  }
}

function checkGroup(groupName: string | undefined): string {
  return groupName === undefined ? DEFAULT_GROUP : checkName(groupName, 'groupName');
}
