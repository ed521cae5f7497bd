import { createHash } from 'node:crypto';
import type { TemplateValue } from './parse.js';
import { ResolveError } from './resolve.js';
import type { ResourceInfo, ResourceValues } from './resolve.js';

/** How one resource type's `Ref` and `Fn::GetAtt` values are formed. */
export interface ResourceTypeValues {
  ref(resource: ResourceInfo): TemplateValue;
  attributes: Record<string, (resource: ResourceInfo) => TemplateValue>;
}

/** A stable stand-in for an id AWS generates at random: the same resource always gets the same. */
function stableId(resource: ResourceInfo, length: number): string {
  return createHash('sha256')
    .update(`${resource.pseudo.stackName}/${resource.id}`)
    .digest('hex')
    .slice(0, length)
    .toUpperCase();
}

/** The name AWS gives a resource whose name property is left out: `stack-LogicalId-RANDOM`. */
function generatedName(resource: ResourceInfo): string {
  return `${resource.pseudo.stackName}-${resource.id}-${stableId(resource, 12)}`;
}

/** The resource's physical name: the property that holds it, or the generated name. */
const named =
  (property: string) =>
  (resource: ResourceInfo): string => {
    const value = resource.property(property);
    return typeof value === 'string' ? value : generatedName(resource);
  };

/** An ARN in the stack's partition, region and account (`''` for the global parts S3 and IAM leave out). */
const arn = (
  resource: ResourceInfo,
  service: string,
  rest: string,
  scope: { region?: boolean; account?: boolean } = {},
): string => {
  const { partition, region, accountId } = resource.pseudo;
  return `arn:${partition}:${service}:${scope.region === false ? '' : region}:${scope.account === false ? '' : accountId}:${rest}`;
};

const tableName = named('TableName');
const bucketName = named('BucketName');
const functionName = named('FunctionName');
const topicName = named('TopicName');
const streamName = named('DeliveryStreamName');
const roleName = named('RoleName');
const logGroupName = named('LogGroupName');
const queueName = named('QueueName');
const scheduleName = named('Name');
const oidcProviderArn = (r: ResourceInfo) =>
  arn(r, 'iam', `oidc-provider/${String(r.property('Url')).replace(/^https:\/\//, '')}`, {
    region: false,
  });
const topicArn = (r: ResourceInfo) => arn(r, 'sns', topicName(r));
const path = (r: ResourceInfo) => {
  const value = r.property('Path');
  return typeof value === 'string' ? value : '/';
};

/**
 * The `Ref` and `Fn::GetAtt` values AWS documents for each resource type (the "Return values"
 * section of each type's CloudFormation page), built from the resource's resolved properties.
 * Ids AWS generates at random are stable stand-ins here.
 */
export const DOCUMENTED_RESOURCE_VALUES: Record<string, ResourceTypeValues> = {
  'AWS::DynamoDB::Table': {
    ref: tableName,
    attributes: {
      Arn: (r) => arn(r, 'dynamodb', `table/${tableName(r)}`),
      StreamArn: (r) => arn(r, 'dynamodb', `table/${tableName(r)}/stream/2020-01-01T00:00:00.000`),
    },
  },
  'AWS::S3::Bucket': {
    ref: bucketName,
    attributes: {
      Arn: (r) => arn(r, 's3', bucketName(r), { region: false, account: false }),
      DomainName: (r) => `${bucketName(r)}.s3.${r.pseudo.urlSuffix}`,
      RegionalDomainName: (r) => `${bucketName(r)}.s3.${r.pseudo.region}.${r.pseudo.urlSuffix}`,
      DualStackDomainName: (r) =>
        `${bucketName(r)}.s3.dualstack.${r.pseudo.region}.${r.pseudo.urlSuffix}`,
    },
  },
  // AWS documents no format for these: a stable generated id stands in.
  'AWS::S3::BucketPolicy': { ref: generatedName, attributes: {} },
  'AWS::IAM::Policy': { ref: generatedName, attributes: {} },
  'AWS::Lambda::EventInvokeConfig': { ref: generatedName, attributes: {} },
  'AWS::Lambda::Permission': { ref: generatedName, attributes: {} },
  'AWS::Logs::LogGroup': {
    ref: logGroupName,
    // The documented form ends in ":*" (every stream of the group), not the group's own ARN.
    attributes: { Arn: (r) => arn(r, 'logs', `log-group:${logGroupName(r)}:*`) },
  },
  'AWS::Logs::LogStream': { ref: named('LogStreamName'), attributes: {} },
  'AWS::IAM::Role': {
    ref: roleName,
    attributes: {
      Arn: (r) => arn(r, 'iam', `role${path(r)}${roleName(r)}`, { region: false }),
      RoleId: (r) => `AROA${stableId(r, 17)}`,
    },
  },
  // Ref is the provider's ARN: its URL without the scheme, under oidc-provider/.
  'AWS::IAM::OIDCProvider': {
    ref: oidcProviderArn,
    attributes: { Arn: oidcProviderArn },
  },
  'AWS::IAM::ManagedPolicy': {
    ref: (r) =>
      arn(r, 'iam', `policy${path(r)}${named('ManagedPolicyName')(r)}`, { region: false }),
    attributes: {},
  },
  'AWS::KinesisFirehose::DeliveryStream': {
    ref: streamName,
    attributes: { Arn: (r) => arn(r, 'firehose', `deliverystream/${streamName(r)}`) },
  },
  'AWS::Lambda::Function': {
    ref: functionName,
    attributes: { Arn: (r) => arn(r, 'lambda', `function:${functionName(r)}`) },
  },
  'AWS::SNS::Topic': {
    ref: topicArn,
    attributes: { TopicArn: topicArn, TopicName: topicName },
  },
  'AWS::SNS::Subscription': {
    ref: (r) => {
      const topic = r.property('TopicArn');
      const id = stableId(r, 32).toLowerCase();
      return `${String(topic)}:${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}`;
    },
    attributes: {},
  },
  'AWS::SQS::Queue': {
    ref: (r) =>
      `https://sqs.${r.pseudo.region}.${r.pseudo.urlSuffix}/${r.pseudo.accountId}/${queueName(r)}`,
    attributes: {
      Arn: (r) => arn(r, 'sqs', queueName(r)),
      QueueName: queueName,
      QueueUrl: (r) =>
        `https://sqs.${r.pseudo.region}.${r.pseudo.urlSuffix}/${r.pseudo.accountId}/${queueName(r)}`,
    },
  },
  'AWS::Scheduler::Schedule': {
    ref: scheduleName,
    attributes: {
      Arn: (r) => {
        const group = r.property('GroupName');
        return arn(
          r,
          'scheduler',
          `schedule/${typeof group === 'string' ? group : 'default'}/${scheduleName(r)}`,
        );
      },
    },
  },
};

/** A {@link ResourceValues} source that gives every resource the values AWS documents for its type. */
export function documentedResourceValues(
  table: Record<string, ResourceTypeValues> = DOCUMENTED_RESOURCE_VALUES,
): ResourceValues {
  const valuesOf = (resource: ResourceInfo) => {
    const values = table[resource.type];
    if (!values)
      throw new ResolveError(
        ['Resources', resource.id],
        `no documented Ref/GetAtt values for ${resource.type} (lib/templates/resourceValues.ts knows ${Object.keys(table).join(', ')})`,
      );
    return values;
  };
  return {
    ref: (resource) => valuesOf(resource).ref(resource),
    getAtt: (resource, attribute) => valuesOf(resource).attributes[attribute]?.(resource),
  };
}
