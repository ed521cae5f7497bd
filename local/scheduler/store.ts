import { join } from 'node:path';
import { arn } from '../account.js';
import { JsonFile } from '../state.js';
import {
  checkName,
  invalidField,
  ScheduleConflictError,
  ScheduleNotFoundError,
  SchedulerValidationError,
} from './definition.js';
import type { ScheduleDefinition } from './definition.js';

/** A schedule as stored: its definition, where it lives, and when it was created and changed. */
export interface Schedule extends ScheduleDefinition {
  arn: string;
  region: string;
  /** Scaled clock times, epoch ms. */
  created: number;
  modified: number;
}

/** A tag on a schedule group. */
export interface Tag {
  Key: string;
  Value: string;
}

/** A schedule group as stored. */
export interface ScheduleGroup {
  name: string;
  arn: string;
  region: string;
  created: number;
  modified: number;
  tags: Tag[];
}

interface SchedulerState {
  groups: ScheduleGroup[];
  schedules: Schedule[];
}

/** The group every region has, which cannot be deleted. */
export const DEFAULT_GROUP = 'default';

/** The ARN of a schedule. */
export function scheduleArn(region: string, group: string, name: string): string {
  return arn('scheduler', region, `schedule/${group}/${name}`);
}

/** The ARN of a schedule group. */
export function groupArn(region: string, group: string): string {
  return arn('scheduler', region, `schedule-group/${group}`);
}

/** Schedules and schedule groups by region, saved to `<stateDir>/scheduler/state.json`. */
export class ScheduleStore {
  private readonly file: JsonFile<SchedulerState>;
  private state: SchedulerState = { groups: [], schedules: [] };
  private lastWrite: Promise<void> = Promise.resolve();

  constructor(
    stateDir: string,
    private readonly now: () => number,
  ) {
    this.file = new JsonFile(join(stateDir, 'scheduler', 'state.json'), () => ({
      groups: [],
      schedules: [],
    }));
  }

  /** Loads what the previous run saved. */
  async load(): Promise<void> {
    this.state = await this.file.read();
  }

  /** Waits for the last write (writing nothing itself, so a store never loaded stays as it was). */
  async flush(): Promise<void> {
    await this.lastWrite;
  }

  private save(): Promise<void> {
    const write = this.file.write(this.state);
    this.lastWrite = write.catch(() => undefined);
    return write;
  }

  /** Every schedule of every region (for arming timers at start). */
  all(): Schedule[] {
    return [...this.state.schedules];
  }

  /** A schedule, or undefined. */
  find(region: string, group: string, name: string): Schedule | undefined {
    const wanted = scheduleArn(region, group, name);
    return this.state.schedules.find((schedule) => schedule.arn === wanted);
  }

  /** A schedule; {@link ScheduleNotFoundError} when there is none. */
  get(region: string, group: string, name: string): Schedule {
    const schedule = this.find(region, group, name);
    if (!schedule) throw new ScheduleNotFoundError(`Schedule ${name} does not exist.`);
    return schedule;
  }

  /** A group (the default group always exists); {@link ScheduleNotFoundError} when there is none. */
  group(region: string, name: string): ScheduleGroup {
    const found = this.state.groups.find((group) => group.region === region && group.name === name);
    if (found) return found;
    if (name === DEFAULT_GROUP) return this.defaultGroup(region);
    throw new ScheduleNotFoundError(`Schedule group ${name} does not exist.`);
  }

  /** The default group of a region, recorded (and saved with the next change) when first seen. */
  private defaultGroup(region: string): ScheduleGroup {
    const now = this.now();
    const group: ScheduleGroup = {
      name: DEFAULT_GROUP,
      arn: groupArn(region, DEFAULT_GROUP),
      region,
      created: now,
      modified: now,
      tags: [],
    };
    this.state.groups.push(group);
    return group;
  }

  /** The groups of a region, the default group first. */
  groups(region: string): ScheduleGroup[] {
    this.group(region, DEFAULT_GROUP);
    return this.state.groups
      .filter((group) => group.region === region)
      .sort((a, b) =>
        a.name === DEFAULT_GROUP ? -1 : b.name === DEFAULT_GROUP ? 1 : a.name.localeCompare(b.name),
      );
  }

  /** The schedules of a region, by group then name. */
  schedules(region: string): Schedule[] {
    return this.state.schedules
      .filter((schedule) => schedule.region === region)
      .sort((a, b) => a.groupName.localeCompare(b.groupName) || a.name.localeCompare(b.name));
  }

  /** Adds a schedule; {@link ScheduleConflictError} when its name is taken in its group. */
  async create(region: string, definition: ScheduleDefinition): Promise<Schedule> {
    this.group(region, definition.groupName);
    if (this.find(region, definition.groupName, definition.name))
      throw new ScheduleConflictError(`Schedule ${definition.name} already exists.`);
    const now = this.now();
    const schedule: Schedule = {
      ...definition,
      arn: scheduleArn(region, definition.groupName, definition.name),
      region,
      created: now,
      modified: now,
    };
    this.state.schedules.push(schedule);
    await this.save();
    return schedule;
  }

  /** Replaces a schedule's whole definition, as UpdateSchedule does. */
  async update(region: string, definition: ScheduleDefinition): Promise<Schedule> {
    this.group(region, definition.groupName);
    const existing = this.get(region, definition.groupName, definition.name);
    const schedule: Schedule = {
      ...definition,
      arn: existing.arn,
      region,
      created: existing.created,
      modified: this.now(),
    };
    this.state.schedules = this.state.schedules.map((item) =>
      item.arn === existing.arn ? schedule : item,
    );
    await this.save();
    return schedule;
  }

  /** Deletes a schedule; {@link ScheduleNotFoundError} when there is none. */
  async delete(region: string, group: string, name: string): Promise<Schedule> {
    this.group(region, group);
    const existing = this.get(region, group, name);
    this.state.schedules = this.state.schedules.filter((item) => item.arn !== existing.arn);
    await this.save();
    return existing;
  }

  /** Adds a group; {@link ScheduleConflictError} when it exists. */
  async createGroup(region: string, name: string, tags: Tag[]): Promise<ScheduleGroup> {
    checkName(name, 'name');
    if (
      this.state.groups.some((group) => group.region === region && group.name === name) ||
      name === DEFAULT_GROUP
    )
      throw new ScheduleConflictError(`Schedule group ${name} already exists.`);
    const now = this.now();
    const group: ScheduleGroup = {
      name,
      arn: groupArn(region, name),
      region,
      created: now,
      modified: now,
      tags,
    };
    this.state.groups.push(group);
    await this.save();
    return group;
  }

  /** Deletes a group and every schedule in it; returns the schedules deleted. */
  async deleteGroup(region: string, name: string): Promise<Schedule[]> {
    if (name === DEFAULT_GROUP)
      throw new SchedulerValidationError('You cannot delete the default schedule group.');
    const group = this.group(region, name);
    const removed = this.state.schedules.filter(
      (schedule) => schedule.region === region && schedule.groupName === name,
    );
    this.state.schedules = this.state.schedules.filter((schedule) => !removed.includes(schedule));
    this.state.groups = this.state.groups.filter((item) => item !== group);
    await this.save();
    return removed;
  }

  /** The group an ARN names (only groups take tags in Scheduler). */
  private taggable(resourceArn: string): ScheduleGroup {
    const match = /^arn:aws:scheduler:([a-z0-9-]+):\d{12}:schedule-group\/([0-9a-zA-Z\-_.]+)$/.exec(
      resourceArn,
    );
    if (!match)
      throw invalidField(
        'resourceArn',
        resourceArn,
        'Member must be a schedule group ARN (arn:aws:scheduler:<region>:<account>:schedule-group/<name>)',
      );
    return this.group(match[1]!, match[2]!);
  }

  /** A group's tags. */
  tags(resourceArn: string): Tag[] {
    return this.taggable(resourceArn).tags;
  }

  /** Adds or replaces tags on a group. */
  async tag(resourceArn: string, tags: Tag[]): Promise<void> {
    const group = this.taggable(resourceArn);
    const keys = new Set(tags.map((tag) => tag.Key));
    group.tags = [...group.tags.filter((tag) => !keys.has(tag.Key)), ...tags];
    await this.save();
  }

  /** Removes tags from a group by key. */
  async untag(resourceArn: string, keys: string[]): Promise<void> {
    const group = this.taggable(resourceArn);
    group.tags = group.tags.filter((tag) => !keys.includes(tag.Key));
    await this.save();
  }
}
