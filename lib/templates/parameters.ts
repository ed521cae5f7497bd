import type { ResourceNames } from '../config/names.js';
import { GITHUB_REPOSITORY, MAX_ALERT_EMAILS } from '../config/schema.js';
import type { PipelineConfig } from '../config/schema.js';
import { ValidationError } from '../errors.js';
import type { Finding } from '../errors.js';
import { findingAt, isObject } from './parse.js';
import type { ParsedTemplate } from './parse.js';

export { MAX_ALERT_EMAILS };

/** The S3 keys of the function zips, as `npm run build` writes them into the manifest. */
export interface CodeKeys {
  streaming: string;
  notification: string;
}

/** Parameter values of a stack, by parameter name (CloudFormation takes every value as text). */
export type ParameterValues = Record<string, string>;

/** The parameters of the pipeline stack, from a validated config, its names and the code keys. */
export function pipelineParameters(
  config: PipelineConfig,
  names: ResourceNames,
  code: CodeKeys,
): ParameterValues {
  if (config.alertEmails.length > MAX_ALERT_EMAILS) {
    throw new ValidationError([
      {
        path: 'alertEmails',
        message: `lists ${config.alertEmails.length} addresses; the pipeline stack subscribes at most ${MAX_ALERT_EMAILS} (use a mailing list for more)`,
      },
    ]);
  }
  const access = config.bucketReadAccess;
  return {
    NamePrefix: names.prefix,
    OwnerName: `${config.firstName} ${config.lastName}`,
    TableName: names.table,
    StreamingFunctionName: names.streamingFunction,
    NotificationFunctionName: names.notificationFunction,
    TopicName: names.topic,
    DeliveryStreamName: names.deliveryStream,
    BucketName: names.bucket,
    ScheduleName: names.schedule,
    StreamingRoleName: names.streamingRole,
    NotificationRoleName: names.notificationRole,
    DeliveryStreamRoleName: names.deliveryStreamRole,
    SchedulerRoleName: names.schedulerRole,
    StreamingLogGroupName: names.streamingLogGroup,
    NotificationLogGroupName: names.notificationLogGroup,
    DeliveryStreamLogGroupName: names.deliveryStreamLogGroup,
    GlueDatabaseName: names.glueDatabase,
    WorkGroupName: names.workGroup,
    AlertEmails: config.alertEmails.join(','),
    AlertEmailCount: String(config.alertEmails.length),
    BucketReadAccess: typeof access === 'string' ? access : 'accounts',
    ReaderAccountIds: typeof access === 'string' ? '' : access.accounts.join(','),
    ScheduleMinutes: String(config.scheduleMinutes),
    DeliveryBufferSeconds: String(config.deliveryBufferSeconds),
    CodeBucketName: names.artifactsBucket,
    StreamingCodeKey: code.streaming,
    NotificationCodeKey: code.notification,
  };
}

/** The parameters of the code-artifacts stack. */
export function artifactsParameters(names: ResourceNames): ParameterValues {
  return { NamePrefix: names.prefix, ArtifactsBucketName: names.artifactsBucket };
}

/**
 * The parameters of the GitHub OIDC stack (cloudformation/github-oidc.yaml): the roles admit the
 * workflows of `repository` (owner/name), or of the config's githubRepository when it is not given.
 */
export function oidcParameters(
  config: PipelineConfig,
  names: ResourceNames,
  repository: string | undefined = config.githubRepository,
): ParameterValues {
  if (repository === undefined)
    throw new ValidationError([
      {
        path: 'githubRepository',
        message:
          'required for the GitHub OIDC stack: the repository (owner/name) whose workflows may deploy, ' +
          'such as "kyle/streaming-pipeline"; set it in the config or pass it to the command',
      },
    ]);
  if (!GITHUB_REPOSITORY.test(repository))
    throw new ValidationError([
      {
        path: 'githubRepository',
        message: `${JSON.stringify(repository)} is not a GitHub repository; write "owner/name" as in its URL, such as "kyle/streaming-pipeline"`,
      },
    ]);
  return {
    NamePrefix: names.prefix,
    GitHubRepository: repository,
    DeployRoleName: names.deployRole,
    PreviewRoleName: names.previewRole,
    BucketName: names.bucket,
    ArtifactsBucketName: names.artifactsBucket,
  };
}

/** Parameter values in the form the CloudFormation API takes them. */
export function toCloudFormationParameters(
  values: ParameterValues,
): { ParameterKey: string; ParameterValue: string }[] {
  return Object.entries(values).map(([ParameterKey, ParameterValue]) => ({
    ParameterKey,
    ParameterValue,
  }));
}

/**
 * Checks values against a template's parameter declarations as CloudFormation would before a
 * deploy: every parameter without a default given, none unknown, and each value meeting its
 * AllowedPattern (whole value), AllowedValues, lengths and number range.
 */
export function checkParameterValues(template: ParsedTemplate, values: ParameterValues): Finding[] {
  const findings: Finding[] = [];
  const declared = isObject(template.body.Parameters) ? template.body.Parameters : {};
  for (const name of Object.keys(values))
    if (!(name in declared))
      findings.push(
        findingAt(
          template,
          ['Parameters'],
          `value given for ${name}, which the template does not declare`,
        ),
      );
  for (const [name, declaration] of Object.entries(declared)) {
    if (!isObject(declaration)) continue;
    const value =
      values[name] ?? (declaration.Default === undefined ? undefined : String(declaration.Default));
    if (value === undefined) {
      findings.push(
        findingAt(template, ['Parameters', name], `${name} has no default and no value was given`),
      );
      continue;
    }
    findings.push(
      ...checkParameterValue(template, name, value).map((why) =>
        findingAt(template, ['Parameters', name], `${name} = ${JSON.stringify(value)}: ${why}`),
      ),
    );
  }
  return findings;
}

/** Why a value breaks parameter `name`'s own constraints (empty when it meets them all). */
export function checkParameterValue(
  template: ParsedTemplate,
  name: string,
  value: string,
): string[] {
  const declared = isObject(template.body.Parameters) ? template.body.Parameters[name] : undefined;
  if (!isObject(declared)) return [];
  const declaration = declared;
  const reasons: string[] = [];
  const fail = (why: string) => reasons.push(why);
  const items = declaration.Type === 'CommaDelimitedList' ? value.split(',') : [value];
  for (const item of items) {
    if (
      typeof declaration.AllowedPattern === 'string' &&
      !new RegExp(`^(?:${declaration.AllowedPattern})$`).test(item)
    )
      fail(`does not match AllowedPattern ${declaration.AllowedPattern}`);
    if (
      Array.isArray(declaration.AllowedValues) &&
      !declaration.AllowedValues.map(String).includes(item)
    )
      fail(`is not one of AllowedValues ${declaration.AllowedValues.join(', ')}`);
  }
  if (typeof declaration.MinLength === 'number' && value.length < declaration.MinLength)
    fail(`is shorter than MinLength ${declaration.MinLength}`);
  if (typeof declaration.MaxLength === 'number' && value.length > declaration.MaxLength)
    fail(`is longer than MaxLength ${declaration.MaxLength}`);
  if (declaration.Type === 'Number') {
    const number = Number(value);
    if (value.trim() === '' || Number.isNaN(number)) fail('is not a number');
    if (typeof declaration.MinValue === 'number' && number < declaration.MinValue)
      fail(`is below MinValue ${declaration.MinValue}`);
    if (typeof declaration.MaxValue === 'number' && number > declaration.MaxValue)
      fail(`is above MaxValue ${declaration.MaxValue}`);
  }
  return reasons;
}

/** Each parameter's Default against the parameter's own constraints, as CloudFormation checks it. */
export function checkParameterDefaults(template: ParsedTemplate): Finding[] {
  const declared = isObject(template.body.Parameters) ? template.body.Parameters : {};
  return Object.entries(declared).flatMap(([name, declaration]) => {
    if (!isObject(declaration) || declaration.Default === undefined) return [];
    const value = String(declaration.Default);
    return checkParameterValue(template, name, value).map((why) =>
      findingAt(
        template,
        ['Parameters', name, 'Default'],
        `the default of ${name}, ${JSON.stringify(value)}, ${why}`,
      ),
    );
  });
}
