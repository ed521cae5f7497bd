import { describe, expect, it } from 'vitest';
import { parseNotificationEnvironment } from '../../../functions/notification/environment.js';

describe('parseNotificationEnvironment', () => {
  it('reads the topic, the owner and the region', () => {
    expect(
      parseNotificationEnvironment({
        TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:DEKYLMAP-streaming-sns-topic',
        OWNER_NAME: ' Kyle Maposa ',
        AWS_REGION: 'eu-west-1',
      }),
    ).toEqual({
      TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:DEKYLMAP-streaming-sns-topic',
      OWNER_NAME: 'Kyle Maposa',
      AWS_REGION: 'eu-west-1',
    });
  });

  it('names each missing or invalid variable', () => {
    expect(() =>
      parseNotificationEnvironment({ TOPIC_ARN: 'my-topic', AWS_REGION: 'eu-west-1' }),
    ).toThrow(
      /TOPIC_ARN: must be an SNS topic ARN .*not "my-topic"\nenvironment variable OWNER_NAME: is not set/,
    );
  });
});
