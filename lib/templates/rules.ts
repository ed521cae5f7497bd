import type { Finding } from '../errors.js';
import { findingAt, isObject } from './parse.js';
import { POLICY_KEYS } from './policies.js';
import type { ParsedTemplate, TemplatePath, TemplateValue } from './parse.js';
import { branches, intrinsicName, listOf, walk } from './walk.js';

/** The oldest Node.js Lambda runtime the project accepts; older ones are deprecated or soon will be. */
export const MIN_NODEJS_RUNTIME = 22;

/** Other runtimes that are current (for templates that are not this project's functions). */
const CURRENT_RUNTIMES = [
  'python3.12',
  'python3.13',
  'python3.14',
  'java21',
  'java25',
  'dotnet8',
  'provided.al2023',
  'ruby3.4',
];

/** The property that holds each named resource type's physical name. */
const NAME_PROPERTIES: Record<string, string> = {
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::KinesisFirehose::DeliveryStream': 'DeliveryStreamName',
  'AWS::Scheduler::Schedule': 'Name',
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::Kinesis::Stream': 'Name',
};

interface Statement {
  value: { [key: string]: TemplateValue };
  path: TemplatePath;
  /** The type of the resource the policy belongs to. */
  type: string;
}

type Resources = [string, { [key: string]: TemplateValue }][];

function resourcesOf(template: ParsedTemplate): Resources {
  const resources = template.body.Resources;
  if (!isObject(resources)) return [];
  return Object.entries(resources).filter((entry): entry is Resources[number] =>
    isObject(entry[1]),
  );
}

function statementsOf(template: ParsedTemplate): Statement[] {
  const statements: Statement[] = [];
  for (const [id, resource] of resourcesOf(template)) {
    const type = typeof resource.Type === 'string' ? resource.Type : '';
    walk(resource.Properties, ['Resources', id, 'Properties'], (value, path) => {
      if (!isObject(value) || !POLICY_KEYS.includes(String(path.at(-1)))) return;
      for (const statement of listOf(value.Statement, [...path, 'Statement']))
        if (isObject(statement.value))
          statements.push({ value: statement.value, path: statement.path, type });
    });
  }
  return statements;
}

/** A literal string, or the text of a `Fn::Sub`, so that `${AWS::AccountId}` can be seen. */
function textOf(value: TemplateValue): string | undefined {
  if (typeof value === 'string') return value;
  if (isObject(value) && value.Ref === 'AWS::AccountId') return '${AWS::AccountId}';
  if (isObject(value) && 'Fn::Sub' in value) {
    const args = value['Fn::Sub'];
    const text = Array.isArray(args) ? args[0] : args;
    return typeof text === 'string' ? text : undefined;
  }
  return undefined;
}

/** Statements that are not Deny: an IAM action list or resource list with a wildcard. */
function checkStatements(template: ParsedTemplate, findings: Finding[]): void {
  for (const { value, path } of statementsOf(template)) {
    // Denying broadly is the safe direction. Any other Effect (a misspelt "allow") is judged as
    // the Allow it was meant to be; the policy grammar check reports the spelling.
    if (value.Effect === 'Deny') continue;
    if ('NotAction' in value)
      findings.push(
        findingAt(
          template,
          [...path, 'NotAction'],
          'an Allow statement with NotAction allows every other action; name the actions under Action',
        ),
      );
    for (const action of listOf(value.Action, [...path, 'Action'])) {
      if (typeof action.value === 'string' && action.value.includes('*'))
        findings.push(
          findingAt(
            template,
            action.path,
            `wildcard action ${JSON.stringify(action.value)}: name each action the role needs, such as "s3:GetObject"`,
          ),
        );
    }
    for (const resource of listOf(value.Resource, [...path, 'Resource'])) {
      if (resource.value !== '*') continue;
      const why = [path, [...path, 'Resource'], resource.path].some(
        (where) => template.commentsAt(where).trim() !== '',
      );
      if (!why)
        findings.push(
          findingAt(
            template,
            resource.path,
            'Resource "*" allows every resource: scope it to ARNs of this stack, or, where AWS accepts nothing narrower, say why in a comment on the statement',
          ),
        );
    }
  }
}

/** The account itself, written as `!Ref AWS::AccountId` or an ARN with `${AWS::AccountId}` in it. */
function isOwnAccount(principal: TemplateValue): boolean {
  const text = textOf(principal);
  return text !== undefined && text.includes('${AWS::AccountId}');
}

const READ_ACTION = /^s3:(Get|List)[A-Za-z]*$/;

/** No bucket policy or ACL may let anyone outside the account write. */
function checkBucketWrites(template: ParsedTemplate, findings: Finding[]): void {
  for (const { value, path, type } of statementsOf(template)) {
    if (type !== 'AWS::S3::BucketPolicy' || value.Effect !== 'Allow') continue;
    const principal = value.Principal;
    const principals: TemplateValue[] = [];
    if (principal === undefined) continue;
    if (isObject(principal) && intrinsicName(principal) === undefined) {
      for (const [kind, who] of Object.entries(principal)) {
        // A service acting for someone else is outside the account as far as a bucket is concerned.
        if (kind !== 'AWS') principals.push(`${kind}:${JSON.stringify(who)}`);
        else for (const each of listOf(who, [])) principals.push(each.value);
      }
    } else {
      principals.push(principal);
    }
    if (principals.every(isOwnAccount)) continue;
    const writes = listOf(value.Action, [...path, 'Action']).filter(
      (action) => typeof action.value !== 'string' || !READ_ACTION.test(action.value),
    );
    const notAction = 'NotAction' in value;
    for (const action of writes)
      findings.push(
        findingAt(
          template,
          action.path,
          `the bucket policy lets principals outside this account use ${JSON.stringify(action.value)}; ` +
            'others may only read (s3:Get*, s3:List* actions): nobody outside the account may write',
        ),
      );
    if (notAction)
      findings.push(
        findingAt(
          template,
          [...path, 'NotAction'],
          'the bucket policy grants principals outside this account everything but some actions, including writes',
        ),
      );
  }
  for (const [id, resource] of resourcesOf(template)) {
    if (resource.Type !== 'AWS::S3::Bucket' || !isObject(resource.Properties)) continue;
    const acl = resource.Properties.AccessControl;
    if (acl !== undefined && acl !== 'Private' && acl !== 'BucketOwnerFullControl')
      findings.push(
        findingAt(
          template,
          ['Resources', id, 'Properties', 'AccessControl'],
          `the ${JSON.stringify(acl)} ACL opens the bucket beyond this account; leave ACLs off (ObjectOwnership BucketOwnerEnforced) and grant reads in a bucket policy`,
        ),
      );
  }
}

function isCurrentRuntime(runtime: string): boolean {
  const node = /^nodejs(\d+)\.x$/.exec(runtime);
  if (node) return Number(node[1]) >= MIN_NODEJS_RUNTIME;
  return CURRENT_RUNTIMES.includes(runtime);
}

/** A current runtime, logs with a retention period, and an on-failure destination when scheduled. */
function checkFunctions(template: ParsedTemplate, findings: Finding[]): void {
  const resources = resourcesOf(template);
  const logGroups = resources.filter(([, r]) => r.Type === 'AWS::Logs::LogGroup').map(([id]) => id);
  const destinations = new Set<string>();
  for (const [, resource] of resources) {
    if (resource.Type !== 'AWS::Lambda::EventInvokeConfig' || !isObject(resource.Properties))
      continue;
    const { FunctionName, DestinationConfig } = resource.Properties;
    const onFailure = isObject(DestinationConfig) ? DestinationConfig.OnFailure : undefined;
    if (
      isObject(FunctionName) &&
      typeof FunctionName.Ref === 'string' &&
      isObject(onFailure) &&
      onFailure.Destination !== undefined
    )
      destinations.add(FunctionName.Ref);
  }
  const scheduled = new Set<string>();
  for (const [, resource] of resources) {
    if (!['AWS::Scheduler::Schedule', 'AWS::Events::Rule'].includes(String(resource.Type)))
      continue;
    walk(resource.Properties, [], (value) => {
      if (
        isObject(value) &&
        Array.isArray(value['Fn::GetAtt']) &&
        typeof value['Fn::GetAtt'][0] === 'string'
      )
        scheduled.add(value['Fn::GetAtt'][0]);
      if (isObject(value) && typeof value.Ref === 'string') scheduled.add(value.Ref);
    });
  }

  for (const [id, resource] of resources) {
    const path = ['Resources', id];
    if (resource.Type === 'AWS::Logs::LogGroup') {
      const properties = isObject(resource.Properties) ? resource.Properties : {};
      if (properties.RetentionInDays === undefined)
        findings.push(
          findingAt(template, path, `log group ${id} keeps logs forever: set RetentionInDays`),
        );
    }
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const properties = isObject(resource.Properties) ? resource.Properties : {};
    const propertiesPath = [...path, 'Properties'];
    for (const runtime of branches(properties.Runtime, [...propertiesPath, 'Runtime'])) {
      if (typeof runtime.value === 'string' && !isCurrentRuntime(runtime.value))
        findings.push(
          findingAt(
            template,
            runtime.path,
            `runtime ${JSON.stringify(runtime.value)} is not current: use nodejs${MIN_NODEJS_RUNTIME}.x or newer`,
          ),
        );
    }
    const logging = properties.LoggingConfig;
    const logGroup = isObject(logging) ? logging.LogGroup : undefined;
    if (!(
      isObject(logGroup) &&
      typeof logGroup.Ref === 'string' &&
      logGroups.includes(logGroup.Ref)
    ))
      findings.push(
        findingAt(
          template,
          isObject(logging) ? [...propertiesPath, 'LoggingConfig'] : path,
          `function ${id} must log to a log group of this template (LoggingConfig.LogGroup: !Ref ...), ` +
            'or Lambda creates one that keeps logs forever',
        ),
      );
    if (scheduled.has(id) && !destinations.has(id))
      findings.push(
        findingAt(
          template,
          path,
          `function ${id} runs on a schedule but has no on-failure destination: add an AWS::Lambda::EventInvokeConfig ` +
            'with DestinationConfig.OnFailure, so a failure alerts someone',
        ),
      );
  }
}

/** Physical names come from parameters (filled from the config); no two resources share one. */
function checkNames(template: ParsedTemplate, findings: Finding[]): void {
  const parameters = isObject(template.body.Parameters)
    ? Object.keys(template.body.Parameters)
    : [];
  const resources = isObject(template.body.Resources) ? template.body.Resources : {};
  const used = new Map<string, string>();
  for (const [id, resource] of resourcesOf(template)) {
    const property = NAME_PROPERTIES[String(resource.Type)];
    if (!property || !isObject(resource.Properties)) continue;
    const name = resource.Properties[property];
    if (name === undefined) continue; // CloudFormation generates a unique name.
    const path = ['Resources', id, 'Properties', property];
    const parameter = isObject(name) && typeof name.Ref === 'string' ? name.Ref : undefined;
    // A Ref to nothing at all is reported by the reference check; one finding is enough.
    if (parameter && !parameters.includes(parameter) && !(parameter in resources)) continue;
    if (!parameter || !parameters.includes(parameter)) {
      findings.push(
        findingAt(
          template,
          path,
          `${id}.${property} must be !Ref to a parameter, so the name comes from pipeline.config.json (lib/config/names.ts), not from the template`,
        ),
      );
      continue;
    }
    const other = used.get(parameter);
    if (other)
      findings.push(
        findingAt(
          template,
          path,
          `${id} and ${other} both take their name from ${parameter}; each resource needs its own`,
        ),
      );
    else used.set(parameter, id);
  }
}

function checkPortable(template: ParsedTemplate, findings: Finding[]): void {
  if (template.body.Transform !== undefined)
    findings.push(
      findingAt(
        template,
        ['Transform'],
        'transforms and macros are not allowed: keep the template plain, so the local engine deploys it as AWS does',
      ),
    );
  for (const [id, resource] of resourcesOf(template))
    if (resource.Type === 'AWS::CloudFormation::Stack')
      findings.push(
        findingAt(
          template,
          ['Resources', id, 'Type'],
          'nested stacks are not allowed: keep the pipeline in one plain template',
        ),
      );
}

/** The project's own rules: least privilege, no outside writes, current runtimes, logs, alerts, names. */
export function checkProjectRules(template: ParsedTemplate): Finding[] {
  const findings: Finding[] = [];
  checkStatements(template, findings);
  checkBucketWrites(template, findings);
  checkFunctions(template, findings);
  checkNames(template, findings);
  checkPortable(template, findings);
  return findings;
}
