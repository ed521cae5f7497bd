import type { FunctionCall } from '../../lib/iam/calls.js';

/**
 * Every AWS call this function's code makes (functions/streaming/aws.ts): `npm run validate`
 * proves the function's role allows each one, and a test fails when the code imports an SDK
 * command missing here.
 */
export const STREAMING_CALLS = [
  { action: 'dynamodb:Scan', resource: 'table', variable: 'TABLE_NAME' },
  { action: 'dynamodb:GetItem', resource: 'table', variable: 'TABLE_NAME' },
  { action: 'dynamodb:UpdateItem', resource: 'table', variable: 'TABLE_NAME' },
  {
    action: 'firehose:PutRecordBatch',
    resource: 'delivery-stream',
    variable: 'DELIVERY_STREAM_NAME',
  },
] as const satisfies readonly FunctionCall[];
