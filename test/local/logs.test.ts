import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DeleteLogStreamCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  GetLogEventsCommand,
  ListTagsForResourceCommand,
  PutRetentionPolicyCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLocalAws } from '../support/localAws.js';
import { createGroupWithStream, putMessages } from '../support/logs.js';

useLocalAws();
let logs: CloudWatchLogsClient;

beforeAll(() => {
  logs = new CloudWatchLogsClient({ maxAttempts: 1 });
});

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
      await putMessages(logs, '/test/streams', name, ['x'], now + offset);
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
    await createGroupWithStream(logs, '/test/delete-stream');
    await putMessages(logs, '/test/delete-stream', 'stream-1', ['gone']);

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
