import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { buildAlert } from './alert.js';
import { parseNotificationEnvironment } from './environment.js';
import { parseFailureRecord } from './failureRecord.js';

// Cold start: a missing variable fails the init phase with a message naming it.
const environment = parseNotificationEnvironment(process.env);
const sns = new SNSClient({});

/** The notification function: turns an on-failure destination record into one alert on the topic. */
export async function handler(record: unknown): Promise<{ messageId: string | undefined }> {
  const alert = buildAlert(parseFailureRecord(record), {
    ownerName: environment.OWNER_NAME,
    region: environment.AWS_REGION,
    receivedAt: new Date(),
  });
  const { MessageId } = await sns.send(
    new PublishCommand({
      TopicArn: environment.TOPIC_ARN,
      Subject: alert.subject,
      Message: alert.message,
    }),
  );
  console.log(
    JSON.stringify({ message: 'alert published', messageId: MessageId, subject: alert.subject }),
  );
  return { messageId: MessageId };
}
