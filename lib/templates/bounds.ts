import type { Finding } from '../errors.js';
import { closest, quoteList } from '../text.js';
import { findingAt, isObject } from './parse.js';
import type { ParsedTemplate, TemplatePath, TemplateValue } from './parse.js';
import { branches, intrinsicName } from './walk.js';

/** A limit on one property's literal value, and where it comes from. */
export interface Bound {
  minimum?: number;
  maximum?: number;
  allowed?: readonly (string | number)[];
  /** Where the limit is written down, so it can be checked again when AWS changes it. */
  source: string;
}

/**
 * Ranges and value lists that `@aws-cdk/aws-service-spec` (the npm copy of AWS's specification
 * this validator uses) does not carry: it keeps `allowedValues`, which checkSpec.ts applies, but
 * drops the registry schemas' minimum/maximum, and some enums live outside the registry schemas.
 * No npm package ships the registry schemas themselves, so this table is written by hand, for the
 * resource types the pipeline uses. Keys are property paths; `*` stands for any item of a list.
 */
const REGISTRY = 'CloudFormation registry schema (cfn-lint 1.51 copy)';
export const BOUNDS: Record<string, Record<string, Bound>> = {
  'AWS::Lambda::Function': {
    Timeout: { minimum: 1, maximum: 900, source: `${REGISTRY} AWS::Lambda::Function` },
    MemorySize: { minimum: 128, maximum: 32768, source: `${REGISTRY} AWS::Lambda::Function` },
    'EphemeralStorage.Size': {
      minimum: 512,
      maximum: 10240,
      source: `${REGISTRY} AWS::Lambda::Function`,
    },
    ReservedConcurrentExecutions: { minimum: 0, source: `${REGISTRY} AWS::Lambda::Function` },
    Runtime: {
      // Every identifier Lambda has had, so a typo is caught here and age by the project's rule.
      allowed: [
        'dotnet10',
        'dotnet6',
        'dotnet8',
        'dotnetcore1.0',
        'dotnetcore2.0',
        'dotnetcore2.1',
        'dotnetcore3.1',
        'go1.x',
        'java11',
        'java17',
        'java21',
        'java25',
        'java8',
        'java8.al2',
        'nodejs',
        'nodejs10.x',
        'nodejs12.x',
        'nodejs14.x',
        'nodejs16.x',
        'nodejs18.x',
        'nodejs20.x',
        'nodejs22.x',
        'nodejs24.x',
        'nodejs4.3',
        'nodejs4.3-edge',
        'nodejs6.10',
        'nodejs8.10',
        'provided',
        'provided.al2',
        'provided.al2023',
        'python2.7',
        'python3.10',
        'python3.11',
        'python3.12',
        'python3.13',
        'python3.14',
        'python3.6',
        'python3.7',
        'python3.8',
        'python3.9',
        'ruby2.5',
        'ruby2.7',
        'ruby3.2',
        'ruby3.3',
        'ruby3.4',
        'ruby4.0',
      ],
      source: 'Lambda runtime identifiers (cfn-lint 1.51 schema patch for AWS::Lambda::Function)',
    },
    'LoggingConfig.ApplicationLogLevel': {
      allowed: ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'],
      source: `${REGISTRY} AWS::Lambda::Function`,
    },
    'LoggingConfig.SystemLogLevel': {
      allowed: ['DEBUG', 'INFO', 'WARN'],
      source: `${REGISTRY} AWS::Lambda::Function`,
    },
  },
  'AWS::Lambda::EventInvokeConfig': {
    MaximumRetryAttempts: {
      minimum: 0,
      maximum: 2,
      source: `${REGISTRY} AWS::Lambda::EventInvokeConfig`,
    },
    MaximumEventAgeInSeconds: {
      minimum: 60,
      maximum: 21600,
      source: `${REGISTRY} AWS::Lambda::EventInvokeConfig`,
    },
  },
  'AWS::KinesisFirehose::DeliveryStream': {
    'ExtendedS3DestinationConfiguration.BufferingHints.SizeInMBs': {
      minimum: 1,
      maximum: 128,
      source: `${REGISTRY} AWS::KinesisFirehose::DeliveryStream (BufferingHints)`,
    },
    'ExtendedS3DestinationConfiguration.BufferingHints.IntervalInSeconds': {
      minimum: 0,
      maximum: 900,
      source: `${REGISTRY} AWS::KinesisFirehose::DeliveryStream (BufferingHints)`,
    },
    'ExtendedS3DestinationConfiguration.CompressionFormat': {
      allowed: ['UNCOMPRESSED', 'GZIP', 'ZIP', 'Snappy', 'HADOOP_SNAPPY'],
      source: `${REGISTRY} AWS::KinesisFirehose::DeliveryStream`,
    },
  },
  'AWS::DynamoDB::Table': {
    BillingMode: {
      allowed: ['PROVISIONED', 'PAY_PER_REQUEST'],
      source: 'DynamoDB API reference, CreateTable BillingMode',
    },
    'AttributeDefinitions.*.AttributeType': {
      allowed: ['S', 'N', 'B'],
      source: `${REGISTRY} AWS::DynamoDB::Table (AttributeDefinition)`,
    },
    'KeySchema.*.KeyType': {
      allowed: ['HASH', 'RANGE'],
      source: `${REGISTRY} AWS::DynamoDB::Table (KeySchema prefixItems)`,
    },
    'StreamSpecification.StreamViewType': {
      allowed: ['KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES'],
      source: 'DynamoDB API reference, StreamSpecification',
    },
  },
  'AWS::Scheduler::Schedule': {
    'FlexibleTimeWindow.MaximumWindowInMinutes': {
      minimum: 1,
      maximum: 1440,
      source: `${REGISTRY} AWS::Scheduler::Schedule`,
    },
    'Target.RetryPolicy.MaximumRetryAttempts': {
      minimum: 0,
      maximum: 185,
      source: `${REGISTRY} AWS::Scheduler::Schedule`,
    },
    'Target.RetryPolicy.MaximumEventAgeInSeconds': {
      minimum: 60,
      maximum: 86400,
      source: `${REGISTRY} AWS::Scheduler::Schedule`,
    },
  },
  'AWS::SQS::Queue': {
    MessageRetentionPeriod: {
      minimum: 60,
      maximum: 1209600,
      source: 'SQS API reference, SetQueueAttributes',
    },
    VisibilityTimeout: {
      minimum: 0,
      maximum: 43200,
      source: 'SQS API reference, SetQueueAttributes',
    },
  },
};

/** The literal values at a dotted path (`*` for each list item), each with its own path. */
function valuesAt(
  value: TemplateValue | undefined,
  parts: readonly string[],
  path: TemplatePath,
): { value: TemplateValue; path: TemplatePath }[] {
  return branches(value, path).flatMap((branch) => {
    if (parts.length === 0) return [branch];
    const [head, ...rest] = parts;
    if (head === '*')
      return Array.isArray(branch.value)
        ? branch.value.flatMap((item, index) => valuesAt(item, rest, [...branch.path, index]))
        : [];
    return isObject(branch.value) && intrinsicName(branch.value) === undefined
      ? valuesAt(branch.value[head!], rest, [...branch.path, head!])
      : [];
  });
}

/** The reason a literal value breaks a bound, or undefined when it keeps to it. */
function breach(value: TemplateValue, bound: Bound): string | undefined {
  if (Array.isArray(value) || isObject(value) || value === null) return undefined;
  const allowed = bound.allowed?.map(String);
  if (allowed && !allowed.includes(String(value))) {
    // A value cut short ("nodejs22") most likely means the one it begins.
    const near =
      allowed.find((candidate) => candidate.startsWith(String(value))) ??
      closest(String(value), allowed);
    const guess = near ? ` (did you mean ${JSON.stringify(near)}?)` : '';
    // A long list (Lambda's runtimes) says less than the nearest value does.
    return allowed.length > 24
      ? `is not one of the ${allowed.length} values it takes${guess}`
      : `is not one of ${quoteList(allowed)}${guess}`;
  }
  const number = typeof value === 'number' ? value : Number(value);
  if (Number.isNaN(number)) return undefined; // A wrong type is checkSpec's finding.
  if (bound.minimum !== undefined && number < bound.minimum)
    return `is below the minimum of ${bound.minimum}`;
  if (bound.maximum !== undefined && number > bound.maximum)
    return `is above the maximum of ${bound.maximum}`;
  return undefined;
}

/** Literal property values outside the ranges and value lists of {@link BOUNDS}. */
export function checkBounds(template: ParsedTemplate): Finding[] {
  const findings: Finding[] = [];
  const resources = isObject(template.body.Resources) ? template.body.Resources : {};
  for (const [id, resource] of Object.entries(resources)) {
    if (!isObject(resource) || typeof resource.Type !== 'string') continue;
    const bounds = BOUNDS[resource.Type] ?? {};
    for (const [property, bound] of Object.entries(bounds)) {
      const path = ['Resources', id, 'Properties'];
      for (const found of valuesAt(resource.Properties, property.split('.'), path)) {
        if (intrinsicName(found.value) !== undefined) continue; // Known at deploy time only.
        const why = breach(found.value, bound);
        if (why)
          findings.push(
            findingAt(
              template,
              found.path,
              `${id}.${property.replace(/\.\*/g, '[]')} = ${JSON.stringify(found.value)} ${why} (${bound.source})`,
            ),
          );
      }
    }
  }
  return findings;
}
