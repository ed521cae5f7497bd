import {
  CloudWatchLogsClient,
  CreateLogStreamCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useAwsCli } from '../support/awsCli.js';
import { useLocalAws } from '../support/localAws.js';
import { createGroupWithStream, putMessages } from '../support/logs.js';

const local = useLocalAws();
const aws = useAwsCli(local.endpoint);
let logs: CloudWatchLogsClient;

beforeAll(() => {
  logs = new CloudWatchLogsClient({ maxAttempts: 1 });
});

describe('PutLogEvents', () => {
  it('reports events too old and too new instead of storing them', async () => {
    await createGroupWithStream(logs, '/test/rejected');
    const now = Date.now();
    const twoWeeksAgo = now - 15 * 86_400_000;

    const old = await logs.send(
      new PutLogEventsCommand({
        logGroupName: '/test/rejected',
        logStreamName: 'stream-1',
        logEvents: [
          { timestamp: twoWeeksAgo, message: 'too old' },
          { timestamp: twoWeeksAgo + 1, message: 'too old too' },
        ],
      }),
    );
    const future = await logs.send(
      new PutLogEventsCommand({
        logGroupName: '/test/rejected',
        logStreamName: 'stream-1',
        logEvents: [
          { timestamp: now, message: 'kept' },
          { timestamp: now + 3 * 3_600_000, message: 'too new' },
        ],
      }),
    );
    const stored = await logs.send(
      new GetLogEventsCommand({ logGroupName: '/test/rejected', logStreamName: 'stream-1' }),
    );

    expect(old.rejectedLogEventsInfo).toEqual({ tooOldLogEventEndIndex: 1 });
    expect(future.rejectedLogEventsInfo).toEqual({ tooNewLogEventStartIndex: 1 });
    expect(stored.events?.map((e) => e.message)).toEqual(['kept']);
  });

  it('refuses a batch spanning more than 24 hours', async () => {
    await createGroupWithStream(logs, '/test/span');

    await expect(
      logs.send(
        new PutLogEventsCommand({
          logGroupName: '/test/span',
          logStreamName: 'stream-1',
          logEvents: [
            { timestamp: Date.now() - 25 * 3_600_000, message: 'early' },
            { timestamp: Date.now(), message: 'late' },
          ],
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  it('refuses a batch out of chronological order', async () => {
    await createGroupWithStream(logs, '/test/order');

    await expect(
      logs.send(
        new PutLogEventsCommand({
          logGroupName: '/test/order',
          logStreamName: 'stream-1',
          logEvents: [
            { timestamp: Date.now(), message: 'second' },
            { timestamp: Date.now() - 1000, message: 'first' },
          ],
        }),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'Log events in a single PutLogEvents request must be in chronological order.',
    });
  });

  it('needs no sequence token and accepts earlier batches in any order', async () => {
    await createGroupWithStream(logs, '/test/no-token');
    const now = Date.now();

    await putMessages(logs, '/test/no-token', 'stream-1', ['later'], now);
    await putMessages(logs, '/test/no-token', 'stream-1', ['earlier'], now - 5000);
    const stored = await logs.send(
      new GetLogEventsCommand({
        logGroupName: '/test/no-token',
        logStreamName: 'stream-1',
        startFromHead: true,
      }),
    );

    expect(stored.events?.map((e) => e.message)).toEqual(['earlier', 'later']);
  });
});

describe('GetLogEvents', () => {
  it('pages forward from the head and hands back the same token at the end', async () => {
    await createGroupWithStream(logs, '/test/get');
    await putMessages(logs, '/test/get', 'stream-1', ['e0', 'e1', 'e2', 'e3', 'e4']);
    const request = { logGroupName: '/test/get', logStreamName: 'stream-1', limit: 2 };

    const first = await logs.send(new GetLogEventsCommand({ ...request, startFromHead: true }));
    const second = await logs.send(
      new GetLogEventsCommand({ ...request, nextToken: first.nextForwardToken }),
    );
    const third = await logs.send(
      new GetLogEventsCommand({ ...request, nextToken: second.nextForwardToken }),
    );
    const end = await logs.send(
      new GetLogEventsCommand({ ...request, nextToken: third.nextForwardToken }),
    );

    expect([first, second, third].map((page) => page.events?.map((e) => e.message))).toEqual([
      ['e0', 'e1'],
      ['e2', 'e3'],
      ['e4'],
    ]);
    expect(end.events).toEqual([]);
    expect(end.nextForwardToken).toBe(third.nextForwardToken);
  });

  it('reads the newest events by default and pages backward', async () => {
    await createGroupWithStream(logs, '/test/backward');
    await putMessages(logs, '/test/backward', 'stream-1', ['e0', 'e1', 'e2', 'e3']);
    const request = { logGroupName: '/test/backward', logStreamName: 'stream-1', limit: 2 };

    const newest = await logs.send(new GetLogEventsCommand(request));
    const older = await logs.send(
      new GetLogEventsCommand({ ...request, nextToken: newest.nextBackwardToken }),
    );

    expect(newest.events?.map((e) => e.message)).toEqual(['e2', 'e3']);
    expect(older.events?.map((e) => e.message)).toEqual(['e0', 'e1']);
  });

  it('keeps to startTime and endTime', async () => {
    await createGroupWithStream(logs, '/test/range');
    const start = Date.now() - 10_000;
    await putMessages(logs, '/test/range', 'stream-1', ['t0', 't1', 't2', 't3'], start);

    const ranged = await logs.send(
      new GetLogEventsCommand({
        logGroupName: '/test/range',
        logStreamName: 'stream-1',
        startTime: start + 1,
        endTime: start + 3,
      }),
    );

    expect(ranged.events?.map((e) => e.message)).toEqual(['t1', 't2']);
  });
});

describe('FilterLogEvents', () => {
  it('interleaves streams in time order with stable event ids', async () => {
    await createGroupWithStream(logs, '/test/filter', 'a');
    await logs.send(
      new CreateLogStreamCommand({ logGroupName: '/test/filter', logStreamName: 'b' }),
    );
    const start = Date.now() - 1000;
    await putMessages(logs, '/test/filter', 'a', ['a0'], start);
    await putMessages(logs, '/test/filter', 'a', ['a2'], start + 2);
    await putMessages(logs, '/test/filter', 'b', ['b1'], start + 1);

    const result = await logs.send(new FilterLogEventsCommand({ logGroupName: '/test/filter' }));
    const again = await logs.send(new FilterLogEventsCommand({ logGroupName: '/test/filter' }));

    expect(result.events?.map((e) => [e.logStreamName, e.message])).toEqual([
      ['a', 'a0'],
      ['b', 'b1'],
      ['a', 'a2'],
    ]);
    expect(again.events?.map((e) => e.eventId)).toEqual(result.events?.map((e) => e.eventId));
  });

  it('narrows to named streams and a start time', async () => {
    await createGroupWithStream(logs, '/test/filter-narrow', 'keep');
    await logs.send(
      new CreateLogStreamCommand({ logGroupName: '/test/filter-narrow', logStreamName: 'skip' }),
    );
    const start = Date.now() - 1000;
    await putMessages(logs, '/test/filter-narrow', 'keep', ['early', 'late'], start);
    await putMessages(logs, '/test/filter-narrow', 'skip', ['other'], start + 1);

    const result = await logs.send(
      new FilterLogEventsCommand({
        logGroupName: '/test/filter-narrow',
        logStreamNames: ['keep'],
        startTime: start + 1,
      }),
    );

    expect(result.events?.map((e) => e.message)).toEqual(['late']);
  });

  it('applies a filter pattern and pages with nextToken', async () => {
    await createGroupWithStream(logs, '/test/filter-pattern');
    await putMessages(logs, '/test/filter-pattern', 'stream-1', [
      'ERROR one',
      'INFO two',
      'ERROR three',
      'ERROR four',
    ]);

    const first = await logs.send(
      new FilterLogEventsCommand({
        logGroupName: '/test/filter-pattern',
        filterPattern: 'ERROR',
        limit: 2,
      }),
    );
    const second = await logs.send(
      new FilterLogEventsCommand({
        logGroupName: '/test/filter-pattern',
        filterPattern: 'ERROR',
        limit: 2,
        nextToken: first.nextToken,
      }),
    );

    expect(first.events?.map((e) => e.message)).toEqual(['ERROR one', 'ERROR three']);
    expect(second.events?.map((e) => e.message)).toEqual(['ERROR four']);
    expect(second.nextToken).toBeUndefined();
  });

  it('pages across streams in time order without losing or repeating an event', async () => {
    await createGroupWithStream(logs, '/test/filter-pages', 'odd');
    await logs.send(
      new CreateLogStreamCommand({ logGroupName: '/test/filter-pages', logStreamName: 'even' }),
    );
    const start = Date.now() - 10_000;
    for (let i = 0; i < 10; i++) {
      await putMessages(logs, '/test/filter-pages', i % 2 ? 'odd' : 'even', [`m${i}`], start + i);
    }

    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await logs.send(
        new FilterLogEventsCommand({ logGroupName: '/test/filter-pages', limit: 3, nextToken }),
      );
      seen.push(...(page.events ?? []).map((e) => e.message!));
      nextToken = page.nextToken;
    } while (nextToken);

    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`));
  });

  it('refuses a pattern it cannot read, naming the problem', async () => {
    await createGroupWithStream(logs, '/test/filter-bad');

    await expect(
      logs.send(
        new FilterLogEventsCommand({
          logGroupName: '/test/filter-bad',
          filterPattern: '[ip, user]',
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });
});

describe('aws logs tail (CLI v2)', () => {
  it('prints a group’s events with their stream names', async () => {
    await createGroupWithStream(logs, '/test/tail', 'tail-stream');
    await putMessages(logs, '/test/tail', 'tail-stream', ['hello from the tail']);

    const output = await aws('logs', 'tail', '/test/tail', '--since', '1h');

    expect(output).toMatch(/^\S+ tail-stream hello from the tail$/m);
  });
});

describe('aws logs tail --follow (CLI v2)', () => {
  it('shows events put after it started', async () => {
    await createGroupWithStream(logs, '/test/follow', 'live');
    const tail = aws.start('logs', 'tail', '/test/follow', '--follow', '--format', 'short');
    let output = '';
    tail.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    try {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await putMessages(logs, '/test/follow', 'live', ['arrived while following']);
      const deadline = Date.now() + 15_000;
      while (!output.includes('arrived while following') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      tail.kill();
    }

    expect(output).toMatch(/^\S+ arrived while following$/m);
  }, 30_000);
});
