import type { FunctionName } from '../lib/build/functions.js';
import type { FunctionCall } from '../lib/iam/calls.js';
import { NOTIFICATION_CALLS } from './notification/calls.js';
import { STREAMING_CALLS } from './streaming/calls.js';

/** The AWS calls of every function's code, by the name `npm run build` gives its zip. */
export const FUNCTION_CALLS = {
  streaming: STREAMING_CALLS,
  notification: NOTIFICATION_CALLS,
} as const satisfies Record<FunctionName, readonly FunctionCall[]>;
