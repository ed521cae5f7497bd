import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { useLocalAws } from '../../support/localAws.js';
import { COMPLETE_RECORD } from './records.js';

const local = useLocalAws();
let handler: (record: unknown) => Promise<{ messageId: string | undefined }>;

beforeAll(async () => {
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  const sns = new SNSClient({});
  const { TopicArn } = await sns.send(
    new CreateTopicCommand({ Name: 'DEKYLMAP-streaming-sns-topic' }),
  );
  await sns.send(
    new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: 'kyle@example.com' }),
  );
  process.env.TOPIC_ARN = TopicArn;
  process.env.OWNER_NAME = 'Kyle Maposa';
  ({ handler } = await import('../../../functions/notification/handler.js'));
});

/** The email local SNS wrote for a message id. */
async function emailFor(messageId: string | undefined): Promise<string> {
  const outbox = local.instance().outbox;
  const file = (await readdir(outbox)).find((name) => messageId && name.includes(messageId));
  if (!file) throw new Error(`no email for message ${messageId} in ${outbox}`);
  return readFile(join(outbox, file), 'utf8');
}

describe('notification handler against local AWS', () => {
  it('emails the subscriber an alert for a complete record', async () => {
    // Act
    const { messageId } = await handler(COMPLETE_RECORD);
    // Assess
    const email = await emailFor(messageId);
    expect(email).toContain('To: kyle@example.com');
    expect(email).toContain(
      'Subject: Pipeline alert: DEKYLMAP-streaming-lambda failed (DrillError)',
    );
    expect(email).toContain('Owner:       Kyle Maposa');
    expect(email).toContain('Attempts:    3 (RetriesExhausted');
    expect(email).toContain(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Faws$252Flambda$252FDEKYLMAP-streaming-lambda',
    );
  });

  it('alerts on a partial record (a timeout sends little)', async () => {
    const { messageId } = await handler({
      requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 3 },
      responsePayload: {
        errorMessage: '2026-11-26T06:00:03.000Z abc Task timed out after 3.00 seconds',
      },
    });
    const email = await emailFor(messageId);
    expect(email).toContain('Subject: Pipeline alert: an unknown function failed (Error)');
    expect(email).toContain('Task timed out after 3.00 seconds');
  });

  it('alerts on garbage, saying the record was not understood', async () => {
    const { messageId } = await handler('garbage \u0000 ✓');
    const email = await emailFor(messageId);
    expect(email).toContain('Subject: Pipeline alert for Kyle Maposa: unreadable failure record');
    expect(email).toContain('could not understand');
  });

  it('publishes a huge trace and a hostile error type within SNS limits', async () => {
    // Prepare
    const record = {
      ...COMPLETE_RECORD,
      responsePayload: {
        errorType: `Weird\r\nType ✓ ${'x'.repeat(200)}`,
        errorMessage: 'e'.repeat(400_000),
        trace: Array.from({ length: 20_000 }, (_, index) => `    at frame ${index} (ünïcode.mjs)`),
      },
    };
    // Act: local SNS rejects subjects and messages AWS would reject
    const { messageId } = await handler(record);
    // Assess
    const email = await emailFor(messageId);
    expect(email).toMatch(
      /Subject: Pipeline alert: DEKYLMAP-streaming-lambda failed \(Weird Type \? x+\.\.\.\r\n/,
    );
    expect(email).toContain('more bytes cut');
  });
});
