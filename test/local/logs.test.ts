import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DeleteLogStreamCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  ListTagsForResourceCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useAwsCli } from '../support/awsCli.js';
import { useLocalAws } from '../support/localAws.js';

const local = useLocalAws();
const aws = useAwsCli(local.endpoint);
let logs: CloudWatchLogsClient;

beforeAll(() => {
  logs = new CloudWatchLogsClient({ maxAttempts: 1 });
});

async function groupWithStream(group: string, stream = 'stream-1'): Promise<void> {
  await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
}

async function put(group: string, stream: string, messages: string[], start = Date.now()) {
  return logs.send(
    new PutLogEventsCommand({
      logGroupName: group,
      logStreamName: stream,
      logEvents: messages.map((message, index) => ({ timestamp: start + index, message })),
    }),
  );
}

describe('CloudWatch Logs groups', () => {
  it('creates, describes and deletes a group, with its ARN and retention', async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/test/lifecycle' }));
    await logs.send(
      new PutRetentionPolicyCommand({ logGroupName: '/test/lifecycle', retentionInDays: 365 }),
    );
    const described = await logs.send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: '/test/lifecycle' }),
    );
    await logs.send(new DeleteRetentionPolicyCommand({ logGroupName: '/test/lifecycle' }));
    const withoutRetention = await logs.send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: '/test/lifecycle' }),
    );
    await logs.send(new DeleteLogGroupCommand({ logGroupName: '/test/lifecycle' }));
    const after = await logs.send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: '/test/lifecycle' }),
    );

    expect(described.logGroups).toEqual([
      expect.objectContaining({
        logGroupName: '/test/lifecycle',
        retentionInDays: 365,
        arn: 'arn:aws:logs:eu-west-1:000000000000:log-group:/test/lifecycle:*',
        logGroupArn: 'arn:aws:logs:eu-west-1:000000000000:log-group:/test/lifecycle',
      }),
    ]);
    expect(withoutRetention.logGroups?.[0]?.retentionInDays).toBeUndefined();
    expect(after.logGroups).toEqual([]);
  });

  it('refuses a duplicate group, an unknown group and a retention AWS does not offer', async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/test/dup' }));

    await expect(
      logs.send(new CreateLogGroupCommand({ logGroupName: '/test/dup' })),
    ).rejects.toMatchObject({ name: 'ResourceAlreadyExistsException' });
    await expect(
      logs.send(new DeleteLogGroupCommand({ logGroupName: '/test/missing' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'The specified log group does not exist.',
    });
    await expect(
      logs.send(new PutRetentionPolicyCommand({ logGroupName: '/test/dup', retentionInDays: 2 })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  it('filters by prefix or pattern and pages with nextToken', async () => {
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      await logs.send(new CreateLogGroupCommand({ logGroupName: `/paged/${name}-Group` }));
    }
    const first = await logs.send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: '/paged/', limit: 2 }),
    );
    const second = await logs.send(
      new DescribeLogGroupsCommand({
        logGroupNamePrefix: '/paged/',
        limit: 2,
        nextToken: first.nextToken,
      }),
    );
    const byPattern = await logs.send(
      new DescribeLogGroupsCommand({ logGroupNamePattern: 'c-gr' }),
    );

    expect(first.logGroups?.map((g) => g.logGroupName)).toEqual([
      '/paged/a-Group',
      '/paged/b-Group',
    ]);
    expect(second.logGroups?.map((g) => g.logGroupName)).toEqual([
      '/paged/c-Group',
      '/paged/d-Group',
    ]);
    expect(second.nextToken).toBeDefined();
    expect(byPattern.logGroups?.map((g) => g.logGroupName)).toEqual(['/paged/c-Group']);
  });

  it('tags a group by ARN', async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/test/tags' }));
    const resourceArn = 'arn:aws:logs:eu-west-1:000000000000:log-group:/test/tags';

    await logs.send(new TagResourceCommand({ resourceArn, tags: { team: 'data', env: 'dev' } }));
    await logs.send(new UntagResourceCommand({ resourceArn, tagKeys: ['env'] }));
    const listed = await logs.send(new ListTagsForResourceCommand({ resourceArn }));

    expect(listed.tags).toEqual({ team: 'data' });
  });
});

describe('CloudWatch Logs streams', () => {
  it('orders streams by last event time, descending, and pages them', async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/test/streams' }));
    const now = Date.now();
    for (const [name, offset] of [
      ['old', -3000],
      ['newest', -1000],
      ['middle', -2000],
    ] as const) {
      await logs.send(
        new CreateLogStreamCommand({ logGroupName: '/test/streams', logStreamName: name }),
      );
      await put('/test/streams', name, ['x'], now + offset);
    }

    const first = await logs.send(
      new DescribeLogStreamsCommand({
        logGroupName: '/test/streams',
        orderBy: 'LastEventTime',
        descending: true,
        limit: 2,
      }),
    );
    const rest = await logs.send(
      new DescribeLogStreamsCommand({
        logGroupName: '/test/streams',
        orderBy: 'LastEventTime',
        descending: true,
        limit: 2,
        nextToken: first.nextToken,
      }),
    );

    expect(first.logStreams?.map((s) => s.logStreamName)).toEqual(['newest', 'middle']);
    expect(rest.logStreams?.map((s) => s.logStreamName)).toEqual(['old']);
    expect(first.logStreams?.[0]).toMatchObject({
      lastEventTimestamp: now - 1000,
      firstEventTimestamp: now - 1000,
    });
  });

  it('refuses ordering by LastEventTime with a prefix, as AWS does', async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/test/order-prefix' }));

    await expect(
      logs.send(
        new DescribeLogStreamsCommand({
          logGroupName: '/test/order-prefix',
          orderBy: 'LastEventTime',
          logStreamNamePrefix: 'a',
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  it('deletes a stream and its events', async () => {
    await groupWithStream('/test/delete-stream');
    await put('/test/delete-stream', 'stream-1', ['gone']);

    await logs.send(
      new DeleteLogStreamCommand({
        logGroupName: '/test/delete-stream',
        logStreamName: 'stream-1',
      }),
    );

    await expect(
      logs.send(
        new GetLogEventsCommand({ logGroupName: '/test/delete-stream', logStreamName: 'stream-1' }),
      ),
    ).rejects.toMatchObject({ message: 'The specified log stream does not exist.' });
  });
});

describe('PutLogEvents', () => {
  it('reports events too old and too new instead of storing them', async () => {
    await groupWithStream('/test/rejected');
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
    await groupWithStream('/test/span');

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
    await groupWithStream('/test/order');

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
    await groupWithStream('/test/no-token');
    const now = Date.now();

    await put('/test/no-token', 'stream-1', ['later'], now);
    await put('/test/no-token', 'stream-1', ['earlier'], now - 5000);
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
    await groupWithStream('/test/get');
    await put('/test/get', 'stream-1', ['e0', 'e1', 'e2', 'e3', 'e4']);
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
    await groupWithStream('/test/backward');
    await put('/test/backward', 'stream-1', ['e0', 'e1', 'e2', 'e3']);
    const request = { logGroupName: '/test/backward', logStreamName: 'stream-1', limit: 2 };

    const newest = await logs.send(new GetLogEventsCommand(request));
    const older = await logs.send(
      new GetLogEventsCommand({ ...request, nextToken: newest.nextBackwardToken }),
    );

    expect(newest.events?.map((e) => e.message)).toEqual(['e2', 'e3']);
    expect(older.events?.map((e) => e.message)).toEqual(['e0', 'e1']);
  });

  it('keeps to startTime and endTime', async () => {
    await groupWithStream('/test/range');
    const start = Date.now() - 10_000;
    await put('/test/range', 'stream-1', ['t0', 't1', 't2', 't3'], start);

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
    await groupWithStream('/test/filter', 'a');
    await logs.send(
      new CreateLogStreamCommand({ logGroupName: '/test/filter', logStreamName: 'b' }),
    );
    const start = Date.now() - 1000;
    await put('/test/filter', 'a', ['a0'], start);
    await put('/test/filter', 'a', ['a2'], start + 2);
    await put('/test/filter', 'b', ['b1'], start + 1);

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
    await groupWithStream('/test/filter-narrow', 'keep');
    await logs.send(
      new CreateLogStreamCommand({ logGroupName: '/test/filter-narrow', logStreamName: 'skip' }),
    );
    const start = Date.now() - 1000;
    await put('/test/filter-narrow', 'keep', ['early', 'late'], start);
    await put('/test/filter-narrow', 'skip', ['other'], start + 1);

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
    await groupWithStream('/test/filter-pattern');
    await put('/test/filter-pattern', 'stream-1', [
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

  it('refuses a pattern it cannot read, naming the problem', async () => {
    await groupWithStream('/test/filter-bad');

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
    await groupWithStream('/test/tail', 'tail-stream');
    await put('/test/tail', 'tail-stream', ['hello from the tail']);

    const output = await aws('logs', 'tail', '/test/tail', '--since', '1h');

    expect(output).toMatch(/^\S+ tail-stream hello from the tail$/m);
  });
});
