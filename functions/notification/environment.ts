// The namespace import lets esbuild drop what is unused (85 KB instead of 450 KB of zod).
import * as z from 'zod';
import { parseOrThrow } from '../shared/parse.js';

const explain = (what: string, example: string) => (issue: { input?: unknown }) =>
  issue.input === undefined
    ? `is not set; set it to ${what}, such as ${JSON.stringify(example)}`
    : `must be ${what} (such as ${JSON.stringify(example)}), not ${JSON.stringify(issue.input)}`;

const TOPIC_EXAMPLE = 'arn:aws:sns:eu-west-1:123456789012:DEKYLMAP-streaming-sns-topic';

const notificationEnvironmentSchema = z.object({
  TOPIC_ARN: z
    .string({ error: explain('the alert topic ARN', TOPIC_EXAMPLE) })
    .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/, {
      error: explain('an SNS topic ARN', TOPIC_EXAMPLE),
    }),
  OWNER_NAME: z
    .string({ error: explain('the pipeline owner full name from the config', 'Kyle Maposa') })
    .trim()
    .min(1, { error: explain('the pipeline owner full name from the config', 'Kyle Maposa') }),
  AWS_REGION: z
    .string({ error: explain('the region (Lambda sets it)', 'eu-west-1') })
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: explain('an AWS region code', 'eu-west-1') }),
});

/** The notification function's settings, read from its environment once at cold start. */
export type NotificationEnvironment = z.output<typeof notificationEnvironmentSchema>;

/** Parses the notification function's environment; a missing or invalid variable is named in the error. */
export function parseNotificationEnvironment(
  env: Record<string, string | undefined>,
): NotificationEnvironment {
  return parseOrThrow(notificationEnvironmentSchema, env, 'environment variable');
}
