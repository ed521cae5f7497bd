import { AwsError } from '../http.js';

/**
 * SQS answers each error with a JSON type (the SDK's exception name) and, for the query protocol
 * and the JSON protocol's `x-amzn-query-error` header, an older code. Keyed by JSON type.
 */
export const QUERY_ERROR_CODES: Readonly<Record<string, string>> = {
  QueueDoesNotExist: 'AWS.SimpleQueueService.NonExistentQueue',
  QueueNameExists: 'QueueAlreadyExists',
  BatchEntryIdsNotDistinct: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
  EmptyBatchRequest: 'AWS.SimpleQueueService.EmptyBatchRequest',
  TooManyEntriesInBatchRequest: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
  InvalidBatchEntryId: 'AWS.SimpleQueueService.InvalidBatchEntryId',
  BatchRequestTooLong: 'AWS.SimpleQueueService.BatchRequestTooLong',
  MessageNotInflight: 'AWS.SimpleQueueService.MessageNotInflight',
  UnsupportedOperation: 'AWS.SimpleQueueService.UnsupportedOperation',
  InvalidParameterValueException: 'InvalidParameterValue',
  MissingRequiredParameterException: 'MissingParameter',
  UnknownOperationException: 'InvalidAction',
};

/** An SQS error; `code` is the JSON protocol's type. */
export class SqsError extends AwsError {
  override name = 'SqsError';
}

/** Thrown for a queue that does not exist, by the wire protocols and the in-process API alike. */
export class QueueDoesNotExistError extends SqsError {
  override name = 'QueueDoesNotExistError';
  constructor(readonly queue: string) {
    super('QueueDoesNotExist', `The specified queue does not exist: ${queue}`);
  }
}

/** `InvalidParameterValue`, with AWS's wording: the parameter, then the reason. */
export function invalidParameter(parameter: string, value: unknown, reason: string): SqsError {
  return new SqsError(
    'InvalidParameterValueException',
    `Value ${String(value)} for parameter ${parameter} is invalid. Reason: ${reason}`,
  );
}

/** `MissingParameter`. */
export function missingParameter(parameter: string): SqsError {
  return new SqsError(
    'MissingRequiredParameterException',
    `The request must contain the parameter ${parameter}.`,
  );
}
