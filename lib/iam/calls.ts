/**
 * The kinds of resource a function's code calls: the template type that provides one, and the
 * return value (`Ref` or the `Arn` attribute) that is its ARN.
 */
export const RESOURCE_KINDS = {
  table: { type: 'AWS::DynamoDB::Table', arn: 'Arn' },
  'delivery-stream': { type: 'AWS::KinesisFirehose::DeliveryStream', arn: 'Arn' },
  topic: { type: 'AWS::SNS::Topic', arn: 'Ref' },
  function: { type: 'AWS::Lambda::Function', arn: 'Arn' },
  queue: { type: 'AWS::SQS::Queue', arn: 'Arn' },
} as const;

/** One of {@link RESOURCE_KINDS}. */
export type ResourceKind = keyof typeof RESOURCE_KINDS;

/**
 * One AWS call a function's code makes: the IAM action, the kind of resource, and the environment
 * variable the code reads that resource's name or ARN from (which ties the call to the template).
 */
export interface FunctionCall {
  readonly action: string;
  readonly resource: ResourceKind;
  readonly variable: string;
}

/** The calls each function's code makes, by function name (`streaming`, `notification`). */
export type FunctionCalls = Readonly<Record<string, readonly FunctionCall[]>>;
