import type { FunctionCall } from '../../lib/iam/calls.js';

/**
 * Every AWS call this function's code makes (functions/notification/handler.ts): `npm run
 * validate` proves the function's role allows each one.
 */
export const NOTIFICATION_CALLS = [
  { action: 'sns:Publish', resource: 'topic', variable: 'TOPIC_ARN' },
] as const satisfies readonly FunctionCall[];
