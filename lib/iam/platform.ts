import { isObject } from '../templates/parse.js';
import type { TemplatePath, TemplateValue } from '../templates/parse.js';
import { ResolveError } from '../templates/resolve.js';
import type { Resolver } from '../templates/resolve.js';
import type { PolicyDocument } from './evaluate.js';

/** A call an AWS service makes with a role of the template, or a service assuming that role. */
export interface RoleCall {
  /** The role's ARN, as the template hands it to the service. */
  roleArn: string;
  /** The resource whose settings make the service use the role (findings point here when no role matches). */
  source: string;
  action: string;
  resource: string;
  /** Set for `sts:AssumeRole`: the service principal that assumes the role. */
  service?: string;
  /** Condition keys the service sends, besides the ones every call carries. */
  context?: Record<string, string>;
  /** The resource's own policy, when the template gives it one (a bucket policy). */
  resourcePolicy?: PolicyDocument;
  /** Who makes the call, and why: "Lambda writes StreamingFunction's logs". */
  why: string;
}

/**
 * A log stream name of the form Lambda gives its streams: any stream of the group must be
 * writable, and this one has the `[$LATEST]` and slashes a too-narrow pattern would miss.
 */
export const SAMPLE_LAMBDA_LOG_STREAM = '2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef';

/** The call each service makes to deliver to a target, by the service named in the target's ARN. */
export const DELIVERY_ACTIONS: Record<string, string> = {
  lambda: 'lambda:InvokeFunction',
  sqs: 'sqs:SendMessage',
  sns: 'sns:Publish',
  events: 'events:PutEvents',
  states: 'states:StartExecution',
  kinesis: 'kinesis:PutRecord',
  firehose: 'firehose:PutRecord',
};

type Properties = { [key: string]: TemplateValue };

const str = (value: TemplateValue | undefined): string | undefined =>
  typeof value === 'string' ? value : undefined;

const objectOf = (value: TemplateValue | undefined): Properties => (isObject(value) ? value : {});

/** The text of a required property, or a {@link ResolveError} naming it. */
function required(properties: Properties, name: string, path: TemplatePath): string {
  const value = properties[name];
  if (typeof value !== 'string')
    throw new ResolveError([...path, name], `is needed to tell which calls the service makes`);
  return value;
}

function pseudoOf(resolver: Resolver) {
  return {
    partition: String(resolver.ref('AWS::Partition')),
    region: String(resolver.ref('AWS::Region')),
    account: String(resolver.ref('AWS::AccountId')),
  };
}

function logStreamArn(resolver: Resolver, group: string, stream: string): string {
  const { partition, region, account } = pseudoOf(resolver);
  return `arn:${partition}:logs:${region}:${account}:log-group:${group}:log-stream:${stream}`;
}

/** The call that delivers to a target ARN (invoke a function, send to a queue, ...). */
function deliveryTo(target: string, path: TemplatePath): string {
  const service = target.split(':')[2] ?? '';
  const action = DELIVERY_ACTIONS[service];
  if (!action)
    throw new ResolveError(
      path,
      `delivering to ${target} is not described (lib/iam/platform.ts knows targets of ${Object.keys(DELIVERY_ACTIONS).join(', ')})`,
    );
  return action;
}

/** The Lambda function a name or ARN refers to, with its resolved properties. */
function functionNamed(resolver: Resolver, nameOrArn: string): string | undefined {
  return resolver
    .resourceIds()
    .filter((id) => resolver.typeOf(id) === 'AWS::Lambda::Function')
    .find((id) => resolver.ref(id) === nameOrArn || resolver.getAtt(id, 'Arn') === nameOrArn);
}

/** The policy of the template's bucket policy for a bucket, if it has one. */
function bucketPolicyOf(resolver: Resolver, bucket: string): PolicyDocument | undefined {
  for (const id of resolver.resourceIds()) {
    if (resolver.typeOf(id) !== 'AWS::S3::BucketPolicy') continue;
    const properties = resolver.properties(id);
    if (properties.Bucket === bucket && isObject(properties.PolicyDocument))
      return properties.PolicyDocument;
  }
  return undefined;
}

/** Lambda assumes the function's role, writes its logs and sends to its dead-letter target with it. */
function lambdaFunction(id: string, resolver: Resolver): RoleCall[] {
  const path = ['Resources', id, 'Properties'];
  const properties = resolver.properties(id);
  const roleArn = required(properties, 'Role', path);
  const logging = objectOf(properties.LoggingConfig);
  const group = str(logging.LogGroup) ?? `/aws/lambda/${String(resolver.ref(id))}`;
  const stream = logStreamArn(resolver, group, SAMPLE_LAMBDA_LOG_STREAM);
  const calls: RoleCall[] = [
    {
      roleArn,
      source: id,
      service: 'lambda.amazonaws.com',
      action: 'sts:AssumeRole',
      resource: roleArn,
      why: `Lambda assumes it to run ${id}`,
    },
    ...['logs:CreateLogStream', 'logs:PutLogEvents'].map((action) => ({
      roleArn,
      source: id,
      action,
      resource: stream,
      why: `Lambda calls to write ${id}'s logs`,
    })),
  ];
  const deadLetter = str(objectOf(properties.DeadLetterConfig).TargetArn);
  if (deadLetter)
    calls.push({
      roleArn,
      source: id,
      action: deliveryTo(deadLetter, [...path, 'DeadLetterConfig', 'TargetArn']),
      resource: deadLetter,
      why: `Lambda calls to send ${id}'s failed events to its dead-letter target`,
    });
  return calls;
}

/** Lambda sends an asynchronous invocation's outcome to its destinations with the function's role. */
function lambdaDestinations(id: string, resolver: Resolver): RoleCall[] {
  const path = ['Resources', id, 'Properties'];
  const properties = resolver.properties(id);
  const name = required(properties, 'FunctionName', path);
  const fn = functionNamed(resolver, name);
  if (!fn)
    throw new ResolveError(
      [...path, 'FunctionName'],
      `${name} is no function of this template, so its role is unknown`,
    );
  const roleArn = required(resolver.properties(fn), 'Role', ['Resources', fn, 'Properties']);
  const destinations = objectOf(properties.DestinationConfig);
  return (['OnFailure', 'OnSuccess'] as const).flatMap((when) => {
    const target = str(objectOf(destinations[when]).Destination);
    if (!target) return [];
    return [
      {
        roleArn,
        source: id,
        action: deliveryTo(target, [...path, 'DestinationConfig', when, 'Destination']),
        resource: target,
        why: `Lambda calls with ${fn}'s role to send its ${when === 'OnFailure' ? 'failed' : 'successful'} invocations to their destination`,
      },
    ];
  });
}

/**
 * Firehose assumes the delivery role (with the account as external id) and, for an S3
 * destination, makes the S3 calls AWS documents for it, logs its errors and uses the KMS key.
 */
function firehoseDelivery(id: string, resolver: Resolver): RoleCall[] {
  const path: TemplatePath = ['Resources', id, 'Properties'];
  const properties = resolver.properties(id);
  const key = properties.ExtendedS3DestinationConfiguration
    ? 'ExtendedS3DestinationConfiguration'
    : properties.S3DestinationConfiguration
      ? 'S3DestinationConfiguration'
      : undefined;
  if (!key)
    throw new ResolveError(path, 'only S3 destinations are described (lib/iam/platform.ts)');
  const destination = objectOf(properties[key]);
  const at = [...path, key];
  const roleArn = required(destination, 'RoleARN', at);
  const bucketArn = required(destination, 'BucketARN', at);
  const bucket = bucketArn.split(':').slice(5).join(':');
  const resourcePolicy = bucketPolicyOf(resolver, bucket);
  const { account, region } = pseudoOf(resolver);
  const stream = String(resolver.ref(id));
  // An object under each prefix, named as Firehose names them (timestamp expressions filled in).
  const objectKey = (prefix: string) =>
    `${prefix.replace(/!\{[^}]*\}/g, '2026')}2026/01/01/00/${stream}-1-2026-01-01-00-00-00-00000000-0000-0000-0000-000000000000`;
  const objects = [str(destination.Prefix) ?? '', str(destination.ErrorOutputPrefix)]
    .filter((prefix): prefix is string => prefix !== undefined)
    .map((prefix) => `${bucketArn}/${objectKey(prefix)}`);
  const s3 = (action: string, resource: string): RoleCall => ({
    roleArn,
    source: id,
    action,
    resource,
    resourcePolicy,
    why: `Firehose calls to deliver ${id} to its bucket`,
  });
  const calls: RoleCall[] = [
    {
      roleArn,
      source: id,
      service: 'firehose.amazonaws.com',
      action: 'sts:AssumeRole',
      resource: roleArn,
      context: { 'sts:ExternalId': account },
      why: `Firehose assumes it to deliver ${id}`,
    },
    ...['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'].map((action) =>
      s3(action, bucketArn),
    ),
    ...objects.flatMap((object) =>
      ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'].map((action) =>
        s3(action, object),
      ),
    ),
  ];
  const logging = objectOf(destination.CloudWatchLoggingOptions);
  if (logging.Enabled === true || logging.Enabled === 'true')
    calls.push({
      roleArn,
      source: id,
      action: 'logs:PutLogEvents',
      resource: logStreamArn(
        resolver,
        required(logging, 'LogGroupName', [...at, 'CloudWatchLoggingOptions']),
        required(logging, 'LogStreamName', [...at, 'CloudWatchLoggingOptions']),
      ),
      why: `Firehose calls to log ${id}'s delivery errors`,
    });
  const kmsKey = str(
    objectOf(objectOf(destination.EncryptionConfiguration).KMSEncryptionConfig).AWSKMSKeyARN,
  );
  if (kmsKey)
    for (const action of ['kms:GenerateDataKey', 'kms:Decrypt'])
      calls.push({
        roleArn,
        source: id,
        action,
        resource: kmsKey,
        context: { 'kms:ViaService': `s3.${region}.amazonaws.com` },
        why: `Firehose calls to encrypt ${id}'s objects with its KMS key`,
      });
  return calls;
}

/** Scheduler assumes the target's role (for this account only) and delivers to the target with it. */
function schedulerTarget(id: string, resolver: Resolver): RoleCall[] {
  const path: TemplatePath = ['Resources', id, 'Properties', 'Target'];
  const target = objectOf(resolver.properties(id).Target);
  const roleArn = required(target, 'RoleArn', path);
  const targetArn = required(target, 'Arn', path);
  const { account } = pseudoOf(resolver);
  const calls: RoleCall[] = [
    {
      roleArn,
      source: id,
      service: 'scheduler.amazonaws.com',
      action: 'sts:AssumeRole',
      resource: roleArn,
      context: {
        'aws:SourceAccount': account,
        'aws:SourceArn': String(resolver.getAtt(id, 'Arn')),
      },
      why: `EventBridge Scheduler assumes it to run ${id}`,
    },
    {
      roleArn,
      source: id,
      action: deliveryTo(targetArn, [...path, 'Arn']),
      resource: targetArn,
      why: `EventBridge Scheduler calls to run ${id}'s target`,
    },
  ];
  const deadLetter = str(objectOf(target.DeadLetterConfig).Arn);
  if (deadLetter)
    calls.push({
      roleArn,
      source: id,
      action: 'sqs:SendMessage',
      resource: deadLetter,
      why: `EventBridge Scheduler calls to send ${id}'s undelivered events to its dead-letter queue`,
    });
  return calls;
}

/** What each AWS service does with a role of the template, by the type of resource that hands it the role. */
export const SERVICE_ROLE_CALLS: Record<string, (id: string, resolver: Resolver) => RoleCall[]> = {
  'AWS::Lambda::Function': lambdaFunction,
  'AWS::Lambda::EventInvokeConfig': lambdaDestinations,
  'AWS::KinesisFirehose::DeliveryStream': firehoseDelivery,
  'AWS::Scheduler::Schedule': schedulerTarget,
};

/** Every call AWS services make with the template's roles, for the resources that exist. */
export function serviceRoleCalls(resolver: Resolver): RoleCall[] {
  return resolver.resourceIds().flatMap((id) => {
    const derive = SERVICE_ROLE_CALLS[resolver.typeOf(id) ?? ''];
    return derive ? derive(id, resolver) : [];
  });
}
