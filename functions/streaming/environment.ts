// The namespace import lets esbuild drop what is unused (85 KB instead of 450 KB of zod).
import * as z from 'zod';
import { parseOrThrow } from '../shared/parse.js';

const required = (what: string, example: string) => (issue: { input?: unknown }) =>
  issue.input === undefined
    ? `is not set; set it to ${what}, such as ${JSON.stringify(example)}`
    : `must be ${what} (such as ${JSON.stringify(example)}), not ${JSON.stringify(issue.input)}`;

const streamingEnvironmentSchema = z.object({
  TABLE_NAME: z
    .string({ error: required('the DynamoDB table name', 'DEKYLMAP-streaming-dynamodb') })
    .regex(/^[A-Za-z0-9_.-]{3,255}$/, {
      error: required(
        '3-255 letters, digits, "_", "-" or "." (a DynamoDB table name)',
        'DEKYLMAP-streaming-dynamodb',
      ),
    }),
  DELIVERY_STREAM_NAME: z
    .string({ error: required('the Firehose delivery stream name', 'DEKYLMAP-deliverystream') })
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, {
      error: required(
        '1-64 letters, digits, "_", "-" or "." (a Firehose delivery stream name)',
        'DEKYLMAP-deliverystream',
      ),
    }),
});

/** The streaming function's settings, read from its environment once at cold start. */
export type StreamingEnvironment = z.output<typeof streamingEnvironmentSchema>;

/** Parses the streaming function's environment; a missing or invalid variable is named in the error. */
export function parseStreamingEnvironment(
  env: Record<string, string | undefined>,
): StreamingEnvironment {
  return parseOrThrow(streamingEnvironmentSchema, env, 'environment variable');
}
