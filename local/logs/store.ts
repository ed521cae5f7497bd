import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { appendFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { arn } from '../account.js';
import { AwsError } from '../http.js';
import { JsonFile } from '../state.js';
import type { LogMatcher } from './filterPattern.js';

/** The retention periods CloudWatch Logs accepts, in days. */
export const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;

/** CloudWatch Logs' PutLogEvents limits. */
export const PUT_LIMITS = {
  events: 10_000,
  batchBytes: 1_048_576,
  eventOverheadBytes: 26,
  eventBytes: 1_048_576 - 26,
  /** Events more than this far in the future are rejected as too new. */
  futureMs: 2 * 60 * 60 * 1000,
  /** Events older than this are rejected as too old. */
  pastMs: 14 * 24 * 60 * 60 * 1000,
  spanMs: 24 * 60 * 60 * 1000,
} as const;

/** A log stream's metadata; its events live in an append-only file named by hash. */
export interface StreamInfo {
  name: string;
  created: number;
  /** File name (hex SHA-256 of region, group and stream): no user-given name decides a path. */
  file: string;
  firstEventTimestamp?: number;
  lastEventTimestamp?: number;
  lastIngestionTime?: number;
  events: number;
  storedBytes: number;
}

/** A log group's metadata. */
export interface GroupInfo {
  name: string;
  region: string;
  created: number;
  retentionInDays?: number;
  tags: Record<string, string>;
  streams: Record<string, StreamInfo>;
}

/** One stored event. */
export interface StoredEvent {
  logStreamName: string;
  timestamp: number;
  ingestionTime: number;
  message: string;
  /** Position in its stream, from 0. */
  index: number;
  eventId: string;
}

/** What PutLogEvents refused, as AWS reports it. */
export interface RejectedInfo {
  tooNewLogEventStartIndex?: number;
  tooOldLogEventEndIndex?: number;
  expiredLogEventEndIndex?: number;
}

/** Options of {@link LogStore.readEvents}. */
export interface ReadOptions {
  startTime?: number;
  endTime?: number;
  matcher?: LogMatcher;
  /** Any further condition on an event (a page token's position). */
  accept?: (event: StoredEvent) => boolean;
  /** Keep only this many events from the first or the last, so a query's memory stays bounded. */
  keep?: { count: number; end: 'first' | 'last' };
}

/** Time order, then position in the stream. */
export function byTime(a: StoredEvent, b: StoredEvent): number {
  return a.timestamp - b.timestamp || a.index - b.index;
}

function groupNotFound(): AwsError {
  return new AwsError('ResourceNotFoundException', 'The specified log group does not exist.');
}

function streamNotFound(): AwsError {
  return new AwsError('ResourceNotFoundException', 'The specified log stream does not exist.');
}

/** The ARN of a log group, as DescribeLogGroups' `logGroupArn` gives it (no trailing `:*`). */
export function logGroupArn(region: string, name: string): string {
  return arn('logs', region, `log-group:${name}`);
}

/**
 * CloudWatch Logs' data: groups and streams in one index file, each stream's events appended to its
 * own file as JSON lines. Only metadata is held in memory; events are read from disk when asked for.
 */
export class LogStore {
  private groups = new Map<string, GroupInfo>();
  private saveTimer?: NodeJS.Timeout;
  private readonly index: JsonFile<GroupInfo[]>;
  private readonly eventsDir: string;
  private appending = new Map<string, Promise<void>>();

  constructor(
    stateDir: string,
    private readonly now: () => number = Date.now,
  ) {
    this.index = new JsonFile(join(stateDir, 'logs', 'index.json'), () => []);
    this.eventsDir = join(stateDir, 'logs', 'events');
  }

  /** Loads the groups saved by the previous run. */
  async start(): Promise<void> {
    await mkdir(this.eventsDir, { recursive: true });
    for (const group of await this.index.read())
      this.groups.set(key(group.region, group.name), group);
  }

  /** Writes the index now (and stops the pending delayed write). */
  async close(): Promise<void> {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    await Promise.all(this.appending.values());
    await this.index.write([...this.groups.values()]);
  }

  // Event appends change only timestamps in the index: write it a moment later, once for many.
  private saveSoon(): void {
    this.saveTimer ??= setTimeout(() => {
      this.saveTimer = undefined;
      void this.index.write([...this.groups.values()]);
    }, 200).unref();
  }

  private save(): Promise<void> {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    return this.index.write([...this.groups.values()]);
  }

  /** A group, or ResourceNotFoundException. */
  group(region: string, name: string): GroupInfo {
    const group = this.groups.get(key(region, name));
    if (!group) throw groupNotFound();
    return group;
  }

  /** Whether a group exists. */
  hasGroup(region: string, name: string): boolean {
    return this.groups.has(key(region, name));
  }

  /** Whether a stream exists. */
  hasStream(region: string, groupName: string, name: string): boolean {
    const group = this.groups.get(key(region, groupName));
    return group !== undefined && Object.hasOwn(group.streams, name);
  }

  /** Every group of a region, sorted by name. */
  listGroups(region: string): GroupInfo[] {
    return [...this.groups.values()]
      .filter((group) => group.region === region)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Creates a group; ResourceAlreadyExistsException when it exists. */
  async createLogGroup(
    region: string,
    name: string,
    tags: Record<string, string> = {},
  ): Promise<GroupInfo> {
    if (this.groups.has(key(region, name))) {
      throw new AwsError(
        'ResourceAlreadyExistsException',
        'The specified log group already exists',
      );
    }
    const group: GroupInfo = { name, region, created: this.now(), tags, streams: {} };
    this.groups.set(key(region, name), group);
    await this.save();
    return group;
  }

  /** Deletes a group and every stream's events. */
  async deleteLogGroup(region: string, name: string): Promise<void> {
    const group = this.group(region, name);
    this.groups.delete(key(region, name));
    await this.save();
    await Promise.all(
      Object.values(group.streams).map((stream) => rm(this.path(stream), { force: true })),
    );
  }

  /** Sets (or, with undefined, removes) a group's retention. */
  async setRetention(region: string, name: string, days: number | undefined): Promise<void> {
    const group = this.group(region, name);
    if (days === undefined) delete group.retentionInDays;
    else group.retentionInDays = days;
    await this.save();
  }

  /** Adds or replaces tags of a group. */
  async tag(region: string, name: string, tags: Record<string, string>): Promise<void> {
    Object.assign(this.group(region, name).tags, tags);
    await this.save();
  }

  /** Removes tags of a group. */
  async untag(region: string, name: string, keys: string[]): Promise<void> {
    const group = this.group(region, name);
    for (const tagKey of keys) delete group.tags[tagKey];
    await this.save();
  }

  /** Creates a stream; ResourceAlreadyExistsException when it exists. */
  async createLogStream(region: string, groupName: string, name: string): Promise<StreamInfo> {
    const group = this.group(region, groupName);
    if (Object.hasOwn(group.streams, name)) {
      throw new AwsError(
        'ResourceAlreadyExistsException',
        'The specified log stream already exists',
      );
    }
    const file = createHash('sha256')
      .update(`${region}\0${groupName}\0${name}\0${this.now()}`)
      .digest('hex');
    const stream: StreamInfo = { name, created: this.now(), file, events: 0, storedBytes: 0 };
    group.streams[name] = stream;
    await this.save();
    return stream;
  }

  /** Deletes a stream and its events. */
  async deleteLogStream(region: string, groupName: string, name: string): Promise<void> {
    const stream = this.stream(region, groupName, name);
    delete this.group(region, groupName).streams[name];
    await this.save();
    await rm(this.path(stream), { force: true });
  }

  /** A stream, or ResourceNotFoundException. */
  stream(region: string, groupName: string, name: string): StreamInfo {
    const group = this.group(region, groupName);
    const stream = Object.hasOwn(group.streams, name) ? group.streams[name] : undefined;
    if (!stream) throw streamNotFound();
    return stream;
  }

  private path(stream: StreamInfo): string {
    return join(this.eventsDir, `${stream.file}.jsonl`);
  }

  /**
   * Appends events (already checked for order and size); those too old, too new or past the
   * group's retention are left out and reported as AWS does.
   */
  async putLogEvents(
    region: string,
    groupName: string,
    streamName: string,
    events: readonly { timestamp: number; message: string }[],
  ): Promise<{ rejected?: RejectedInfo; nextSequenceToken: string }> {
    const group = this.group(region, groupName);
    const stream = this.stream(region, groupName, streamName);
    const now = this.now();
    const rejected: RejectedInfo = {};
    const retentionStart =
      group.retentionInDays === undefined ? -Infinity : now - group.retentionInDays * 86_400_000;
    const accepted: string[] = [];
    events.forEach((event, position) => {
      if (event.timestamp > now + PUT_LIMITS.futureMs) {
        rejected.tooNewLogEventStartIndex ??= position;
      } else if (event.timestamp < now - PUT_LIMITS.pastMs) {
        rejected.tooOldLogEventEndIndex = position;
      } else if (event.timestamp < retentionStart) {
        rejected.expiredLogEventEndIndex = position;
      } else {
        accepted.push(JSON.stringify([event.timestamp, now, event.message]));
        stream.firstEventTimestamp = Math.min(
          stream.firstEventTimestamp ?? Infinity,
          event.timestamp,
        );
        stream.lastEventTimestamp = Math.max(
          stream.lastEventTimestamp ?? -Infinity,
          event.timestamp,
        );
        stream.storedBytes += Buffer.byteLength(event.message);
      }
    });
    if (accepted.length > 0) {
      stream.events += accepted.length;
      stream.lastIngestionTime = now;
      const file = this.path(stream);
      const previous = this.appending.get(file) ?? Promise.resolve();
      const next = previous.then(() => appendFile(file, `${accepted.join('\n')}\n`));
      this.appending.set(file, next);
      await next;
      if (this.appending.get(file) === next) this.appending.delete(file);
      this.saveSoon();
    }
    const nextSequenceToken = String(stream.events).padStart(56, '0');
    return Object.keys(rejected).length > 0
      ? { rejected, nextSequenceToken }
      : { nextSequenceToken };
  }

  /** Reads a stream's events in time order, as far as the options allow. */
  async readEvents(
    region: string,
    groupName: string,
    streamName: string,
    options: ReadOptions = {},
  ): Promise<StoredEvent[]> {
    const group = this.group(region, groupName);
    const stream = this.stream(region, groupName, streamName);
    await this.appending.get(this.path(stream));
    const retentionStart =
      group.retentionInDays === undefined
        ? -Infinity
        : this.now() - group.retentionInDays * 86_400_000;
    const start = Math.max(options.startTime ?? -Infinity, retentionStart);
    const end = options.endTime ?? Infinity;
    let found: StoredEvent[] = [];
    const keep = options.keep;
    let input;
    try {
      input = createReadStream(this.path(stream), 'utf8');
      let index = 0;
      for await (const line of createInterface({ input, crlfDelay: Infinity })) {
        if (line === '') continue;
        const position = index++;
        const [timestamp, ingestionTime, message] = JSON.parse(line) as [number, number, string];
        if (timestamp < start || timestamp >= end) continue;
        if (options.matcher && !options.matcher(message)) continue;
        const event: StoredEvent = {
          logStreamName: stream.name,
          timestamp,
          ingestionTime,
          message,
          index: position,
          eventId: `${stream.file.slice(0, 16)}${String(position).padStart(12, '0')}`,
        };
        if (options.accept && !options.accept(event)) continue;
        found.push(event);
        if (keep && found.length >= keep.count * 2) found = trim(found, keep);
      }
    } catch (error: unknown) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    // Batches may arrive out of order across calls; AWS answers in time order.
    return keep ? trim(found, keep) : found.sort(byTime);
  }
}

function trim(events: StoredEvent[], keep: NonNullable<ReadOptions['keep']>): StoredEvent[] {
  events.sort(byTime);
  return keep.end === 'first' ? events.slice(0, keep.count) : events.slice(-keep.count);
}

function key(region: string, name: string): string {
  return `${region}\0${name}`;
}
