import { randomUUID } from 'node:crypto';
import { isObject } from '../../lib/templates/parse.js';
import { ResolveError } from '../../lib/templates/resolve.js';
import { arn } from '../account.js';
import { AwsError, xmlEscape } from '../http.js';
import type { ActionContext, CloudFormationService } from './index.js';
import { inProgress, STACK_STATUSES } from './model.js';
import type { ChangeSet, Stack, StackInputs, Tag } from './model.js';
import {
  bindParameters,
  checkCapabilities,
  checkTemplate,
  conditionResolver,
  declaredParameters,
  descriptionOf,
  parseTemplateText,
  requiredCapabilities,
  scopeOf,
  templateCapabilities,
  validation,
} from './template.js';
import type { GivenParameter, Template } from './template.js';
import {
  changeSetSummaryXml,
  changeSetXml,
  element,
  eventXml,
  members,
  resourceXml,
  stackSummaryXml,
  stackXml,
} from './xml.js';

type Action = (context: ActionContext) => Promise<string | undefined>;

const NAME = /^[a-zA-Z][-a-zA-Z0-9]{0,127}$/;
const EVENTS_PAGE = 100;

/** `Prefix.member.N` values of the query protocol. */
function list(params: URLSearchParams, prefix: string): string[] {
  const values: string[] = [];
  for (let index = 1; params.has(`${prefix}.member.${index}`); index++)
    values.push(params.get(`${prefix}.member.${index}`)!);
  return values;
}

/** `Prefix.member.N.Field` structures of the query protocol. */
function structures(params: URLSearchParams, prefix: string): Record<string, string>[] {
  const result: Record<string, string>[] = [];
  for (let index = 1; ; index++) {
    const head = `${prefix}.member.${index}.`;
    const entry: Record<string, string> = {};
    for (const [key, value] of params)
      if (key.startsWith(head)) entry[key.slice(head.length)] = value;
    if (Object.keys(entry).length === 0) return result;
    result.push(entry);
  }
}

function givenParameters(params: URLSearchParams): GivenParameter[] {
  return structures(params, 'Parameters').map((entry) => ({
    key: entry.ParameterKey ?? '',
    ...(entry.ParameterValue === undefined ? {} : { value: entry.ParameterValue }),
    usePreviousValue: entry.UsePreviousValue === 'true',
  }));
}

function stackName(params: URLSearchParams): string {
  const name = params.get('StackName') ?? '';
  if (!NAME.test(name))
    throw validation(
      `1 validation error detected: Value '${name}' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*`,
    );
  return name;
}

/** The inputs of a create or update, checked as CloudFormation checks them before it starts. */
async function inputsOf(
  context: ActionContext,
  scopeStack: Pick<Stack, 'stackId' | 'name' | 'region'>,
  current?: StackInputs,
): Promise<{ inputs: StackInputs; template: Template }> {
  const { params, service, region } = context;
  const template = await service.template(region, params, current);
  checkTemplate(template, await service.schemas());
  const parameters = bindParameters(template, givenParameters(params), current?.parameters);
  const capabilities = list(params, 'Capabilities');
  const notificationArns = params.has('NotificationARNs.member.1')
    ? list(params, 'NotificationARNs')
    : (current?.notificationArns ?? []);
  const tags: Tag[] = params.has('Tags.member.1')
    ? structures(params, 'Tags').map((tag) => ({ Key: tag.Key ?? '', Value: tag.Value ?? '' }))
    : (current?.tags ?? []);
  const scope = scopeOf(
    { ...scopeStack, inputs: { notificationArns } } as Stack,
    service.exports(region),
  );
  let resolver;
  try {
    resolver = conditionResolver(template, scope, parameters);
    checkCapabilities(requiredCapabilities(template, resolver), capabilities);
  } catch (error: unknown) {
    if (error instanceof ResolveError) throw validation(`Template error: ${error.message}`);
    throw error;
  }
  return {
    template,
    inputs: { templateBody: template.text, parameters, capabilities, tags, notificationArns },
  };
}

function refuseUpdate(stack: Stack): void {
  if (
    stack.status === 'ROLLBACK_COMPLETE' ||
    stack.status === 'ROLLBACK_FAILED' ||
    stack.status === 'CREATE_FAILED' ||
    stack.status === 'DELETE_FAILED' ||
    stack.status === 'UPDATE_ROLLBACK_FAILED' ||
    inProgress(stack.status)
  )
    throw validation(`Stack:${stack.stackId} is in ${stack.status} state and can not be updated.`);
}

function newStack(
  context: ActionContext,
  name: string,
  inputs: StackInputs,
  template: Template,
): Stack {
  return {
    stackId: context.service.newStackId(context.region, name),
    name,
    region: context.region,
    status: 'REVIEW_IN_PROGRESS',
    ...(descriptionOf(template) === undefined ? {} : { description: descriptionOf(template)! }),
    creationTime: context.service.now().toISOString(),
    disableRollback: false,
    inputs,
    resources: {},
    outputs: [],
    events: [],
    changeSets: [],
  };
}

function findChangeSet(context: ActionContext): { stack: Stack; changeSet: ChangeSet } {
  const { params, service, region } = context;
  const name = params.get('ChangeSetName') ?? '';
  const stackRef = params.get('StackName') ?? (name.startsWith('arn:') ? undefined : null);
  const stacks = stackRef
    ? [service.store.find(region, stackRef)].filter((s): s is Stack => !!s)
    : service.store.list(region);
  for (const stack of stacks) {
    const changeSet = stack.changeSets.find((c) => c.id === name || c.name === name);
    if (changeSet) return { stack, changeSet };
  }
  if (stackRef && stacks.length === 0) throw validation(`Stack [${stackRef}] does not exist`);
  throw new AwsError('ChangeSetNotFound', `ChangeSet [${name}] does not exist`, 404);
}

/** Template facts for ValidateTemplate and GetTemplateSummary. */
function templateFacts(template: Template): { parameters: string; capabilities: string } {
  const declared = declaredParameters(template);
  const parameters = members(
    'Parameters',
    Object.entries(declared).map(
      ([key, declaration]) =>
        element('ParameterKey', key) +
        element(
          'DefaultValue',
          declaration.Default === undefined || declaration.Default === null
            ? undefined
            : String(declaration.Default),
        ) +
        element('ParameterType', String(declaration.Type ?? 'String')) +
        element('NoEcho', String(declaration.NoEcho) === 'true') +
        element(
          'Description',
          typeof declaration.Description === 'string' ? declaration.Description : undefined,
        ) +
        (Array.isArray(declaration.AllowedValues)
          ? `<ParameterConstraints>${members(
              'AllowedValues',
              declaration.AllowedValues.map((value) => xmlEscape(String(value))),
            )}</ParameterConstraints>`
          : ''),
    ),
  );
  const { capability, types } = templateCapabilities(template);
  return {
    parameters,
    capabilities: capability
      ? members('Capabilities', [capability]) +
        element(
          'CapabilitiesReason',
          `The following resource(s) require capabilities: [${types.join(', ')}]`,
        )
      : '',
  };
}

async function createChangeSet(context: ActionContext): Promise<string> {
  const { params, service, region } = context;
  const name = params.get('ChangeSetName') ?? '';
  if (!NAME.test(name))
    throw validation(
      `1 validation error detected: Value '${name}' at 'changeSetName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*`,
    );
  const type = (params.get('ChangeSetType') ?? 'UPDATE') as 'CREATE' | 'UPDATE';
  const stackRef = params.get('StackName') ?? '';
  let stack = service.store.find(region, stackRef);
  if (type === 'CREATE') {
    if (stack && stack.status !== 'REVIEW_IN_PROGRESS')
      throw new AwsError(
        'AlreadyExistsException',
        `Stack [${stackRef}] already exists and cannot be created again with the changeSet [${name}].`,
      );
  } else if (type === 'UPDATE') {
    if (!stack || stack.status === 'REVIEW_IN_PROGRESS')
      throw validation(`Stack [${stackRef}] does not exist`);
    refuseUpdate(stack);
  } else throw validation(`ChangeSetType must be CREATE or UPDATE, not ${String(type)}`);
  if (stack?.changeSets.some((c) => c.name === name))
    throw new AwsError('AlreadyExistsException', `ChangeSet ${name} already exists`);
  const scopeStack = stack ?? {
    stackId: service.newStackId(region, stackName(params)),
    name: stackRef,
    region,
  };
  const { inputs, template } = await inputsOf(
    context,
    scopeStack,
    type === 'UPDATE' ? stack!.inputs : undefined,
  );
  if (!stack) {
    stack = { ...newStack(context, stackRef, inputs, template), stackId: scopeStack.stackId };
    stack.events.push({
      eventId: randomUUID(),
      logicalId: stack.name,
      physicalId: stack.stackId,
      type: 'AWS::CloudFormation::Stack',
      timestamp: stack.creationTime,
      status: 'REVIEW_IN_PROGRESS',
      reason: 'User Initiated',
    });
    service.store.add(stack);
  }
  const changeSet: ChangeSet = {
    id: arn('cloudformation', region, `changeSet/${name}/${randomUUID()}`),
    name,
    type,
    status: 'CREATE_COMPLETE',
    executionStatus: 'AVAILABLE',
    creationTime: service.now().toISOString(),
    ...(params.get('Description') ? { description: params.get('Description')! } : {}),
    inputs,
    changes: [],
  };
  try {
    const plan = await service.engine.plan(
      type === 'CREATE' ? { ...stack, resources: {}, outputs: [] } : stack,
      inputs,
    );
    changeSet.changes = plan.changes;
    const sameInputs =
      JSON.stringify(inputs.parameters) === JSON.stringify(stack.inputs.parameters) &&
      JSON.stringify(inputs.tags) === JSON.stringify(stack.inputs.tags);
    if (type === 'UPDATE' && plan.changes.length === 0 && !plan.outputsChanged && sameInputs) {
      changeSet.status = 'FAILED';
      changeSet.executionStatus = 'UNAVAILABLE';
      changeSet.statusReason =
        "The submitted information didn't contain changes. Submit different information to create a change set.";
    }
  } catch (error: unknown) {
    if (!(error instanceof ResolveError)) throw error;
    changeSet.status = 'FAILED';
    changeSet.executionStatus = 'UNAVAILABLE';
    changeSet.statusReason = `Template error: ${error.message}`;
  }
  stack.changeSets.push(changeSet);
  await service.store.save();
  return element('Id', changeSet.id) + element('StackId', stack.stackId);
}

/** The API, one small handler per action. */
export const ACTIONS: Record<string, Action> = {
  async CreateStack(context) {
    const { params, service, region } = context;
    const name = stackName(params);
    if (service.store.find(region, name))
      throw new AwsError('AlreadyExistsException', `Stack [${name}] already exists`);
    const stackId = service.newStackId(region, name);
    const { inputs, template } = await inputsOf(context, { stackId, name, region });
    const stack = { ...newStack(context, name, inputs, template), stackId };
    const onFailure = params.get('OnFailure');
    stack.disableRollback = params.get('DisableRollback') === 'true' || onFailure === 'DO_NOTHING';
    service.store.add(stack);
    await service.run(stack, async () => {
      await service.engine.create(stack);
      if (onFailure === 'DELETE' && stack.status === 'ROLLBACK_COMPLETE')
        await service.engine.delete(stack);
    });
    return element('StackId', stack.stackId);
  },

  async UpdateStack(context) {
    const { params, service, region } = context;
    const stack = service.stack(region, params.get('StackName'));
    refuseUpdate(stack);
    const { inputs } = await inputsOf(context, stack, stack.inputs);
    const plan = await planOrFail(service, stack, inputs);
    if (
      plan.changes.length === 0 &&
      !plan.outputsChanged &&
      JSON.stringify(inputs.parameters) === JSON.stringify(stack.inputs.parameters)
    )
      throw validation('No updates are to be performed.');
    // Each update says for itself whether a failure rolls back (default: it does).
    const disableRollback = params.get('DisableRollback') === 'true';
    stack.changeSets = [];
    await service.run(stack, () => service.engine.update(stack, inputs, { disableRollback }));
    return element('StackId', stack.stackId);
  },

  async DeleteStack(context) {
    const { params, service, region } = context;
    const stack = service.store.find(region, params.get('StackName') ?? '');
    if (!stack || stack.status === 'DELETE_COMPLETE') return undefined;
    const retain = list(params, 'RetainResources');
    if (retain.length > 0 && stack.status !== 'DELETE_FAILED')
      throw validation(
        `Invalid operation on stack [${stack.stackId}]. RetainResources can only be specified when the stack is in the DELETE_FAILED state`,
      );
    for (const output of stack.outputs) {
      const importer = service.store
        .list(region)
        .find(
          (other) =>
            other !== stack &&
            other.status !== 'DELETE_COMPLETE' &&
            output.exportName !== undefined &&
            other.imports?.includes(output.exportName),
        );
      if (importer)
        throw validation(
          `Export ${output.exportName} cannot be deleted as it is in use by ${importer.name}`,
        );
    }
    if (stack.status === 'REVIEW_IN_PROGRESS') {
      stack.status = 'DELETE_COMPLETE';
      stack.deletionTime = service.now().toISOString();
      stack.changeSets = [];
      await service.store.save();
      return undefined;
    }
    await service.run(stack, () => service.engine.delete(stack, retain));
    return undefined;
  },

  async DescribeStacks({ params, service, region }) {
    const name = params.get('StackName');
    const stacks = name
      ? [service.stack(region, name)]
      : service.store.list(region).filter((stack) => stack.status !== 'DELETE_COMPLETE');
    return members(
      'Stacks',
      stacks.map((stack) => stackXml(stack, parseTemplateText(stack.inputs.templateBody))),
    );
  },

  async ListStacks({ params, service, region }) {
    const filter = list(params, 'StackStatusFilter');
    for (const status of filter)
      if (!(STACK_STATUSES as readonly string[]).includes(status))
        throw validation(
          `1 validation error detected: Value '[${status}]' at 'stackStatusFilter' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [${STACK_STATUSES.join(', ')}]]`,
        );
    const stacks = service.store
      .list(region)
      .filter((stack) => filter.length === 0 || filter.includes(stack.status));
    return members('StackSummaries', stacks.map(stackSummaryXml));
  },

  async DescribeStackEvents({ params, service, region }) {
    const stack = service.stack(region, params.get('StackName'));
    const start = Number(params.get('NextToken') ?? '0') || 0;
    const newestFirst = [...stack.events].reverse();
    const page = newestFirst.slice(start, start + EVENTS_PAGE);
    const next = start + EVENTS_PAGE < newestFirst.length ? String(start + EVENTS_PAGE) : undefined;
    return (
      members(
        'StackEvents',
        page.map((event) => eventXml(stack, event)),
      ) + element('NextToken', next)
    );
  },

  async DescribeStackResource({ params, service, region }) {
    const stack = service.stack(region, params.get('StackName'));
    const id = params.get('LogicalResourceId') ?? '';
    const resource = stack.resources[id];
    if (!resource) throw validation(`Resource ${id} does not exist for stack ${stack.name}`);
    return `<StackResourceDetail>${resourceXml(stack, resource, 'detail')}</StackResourceDetail>`;
  },

  async DescribeStackResources({ params, service, region }) {
    const physicalId = params.get('PhysicalResourceId');
    let stack: Stack;
    if (params.get('StackName')) stack = service.stack(region, params.get('StackName'));
    else if (physicalId) {
      const found = service.store
        .list(region)
        .find((s) => Object.values(s.resources).some((r) => r.physicalId === physicalId));
      if (!found) throw validation(`Stack for ${physicalId} does not exist`);
      stack = found;
    } else throw validation('Either StackName or PhysicalResourceId must be specified.');
    const id = params.get('LogicalResourceId');
    const resources = Object.values(stack.resources).filter(
      (r) => (!id || r.logicalId === id) && (!physicalId || r.physicalId === physicalId),
    );
    return members(
      'StackResources',
      resources.map((resource) => resourceXml(stack, resource, 'resource')),
    );
  },

  async ListStackResources({ params, service, region }) {
    const stack = service.stack(region, params.get('StackName'));
    return members(
      'StackResourceSummaries',
      Object.values(stack.resources).map((resource) => resourceXml(stack, resource, 'summary')),
    );
  },

  async GetTemplate(context) {
    const { params, service, region } = context;
    let body: string;
    if (params.get('ChangeSetName')) body = findChangeSet(context).changeSet.inputs.templateBody;
    else body = service.stack(region, params.get('StackName')).inputs.templateBody;
    const stage = params.get('TemplateStage') ?? 'Original';
    const text = stage === 'Processed' ? JSON.stringify(parseTemplateText(body).body) : body;
    return element('TemplateBody', text) + members('StagesAvailable', ['Original', 'Processed']);
  },

  async GetTemplateSummary(context) {
    const { params, service, region } = context;
    const template = params.get('StackName')
      ? parseTemplateText(service.stack(region, params.get('StackName')).inputs.templateBody)
      : await service.template(region, params);
    const facts = templateFacts(template);
    const resources = isObject(template.body.Resources) ? template.body.Resources : {};
    const types = [
      ...new Set(
        Object.values(resources).flatMap((r) =>
          isObject(r) && typeof r.Type === 'string' ? [r.Type] : [],
        ),
      ),
    ];
    return (
      facts.parameters +
      element('Description', descriptionOf(template)) +
      facts.capabilities +
      members(
        'ResourceTypes',
        types.map((type) => xmlEscape(type)),
      ) +
      element('Version', String(template.body.AWSTemplateFormatVersion ?? '2010-09-09')) +
      members('DeclaredTransforms', [])
    );
  },

  async ValidateTemplate({ params, service, region }) {
    const template = await service.template(region, params);
    checkTemplate(template, await service.schemas());
    const facts = templateFacts(template);
    return (
      facts.parameters +
      element('Description', descriptionOf(template)) +
      facts.capabilities +
      members('DeclaredTransforms', [])
    );
  },

  async ListExports({ service, region }) {
    const exports: string[] = [];
    for (const stack of service.store.list(region))
      if (stack.status !== 'DELETE_COMPLETE')
        for (const output of stack.outputs)
          if (output.exportName !== undefined)
            exports.push(
              element('ExportingStackId', stack.stackId) +
                element('Name', output.exportName) +
                element('Value', output.value),
            );
    return members('Exports', exports);
  },

  CreateChangeSet: createChangeSet,

  async DescribeChangeSet(context) {
    const { stack, changeSet } = findChangeSet(context);
    return changeSetXml(stack, changeSet, parseTemplateText(changeSet.inputs.templateBody));
  },

  async ListChangeSets({ params, service, region }) {
    const stack = service.stack(region, params.get('StackName'));
    return members(
      'Summaries',
      stack.changeSets.map((changeSet) => changeSetSummaryXml(stack, changeSet)),
    );
  },

  async DeleteChangeSet(context) {
    const { stack, changeSet } = findChangeSet(context);
    if (changeSet.executionStatus === 'EXECUTE_IN_PROGRESS')
      throw new AwsError(
        'InvalidChangeSetStatus',
        `Cannot delete ChangeSet in status ${changeSet.executionStatus}`,
      );
    stack.changeSets = stack.changeSets.filter((c) => c !== changeSet);
    await context.service.store.save();
    return '';
  },

  async ExecuteChangeSet(context) {
    const { service, params } = context;
    const { stack, changeSet } = findChangeSet(context);
    if (changeSet.executionStatus !== 'AVAILABLE')
      throw new AwsError(
        'InvalidChangeSetStatus',
        `ChangeSet [${changeSet.id}] cannot be executed in its current execution status of [${changeSet.executionStatus}]`,
      );
    if (service.busy(stack))
      throw validation(
        `Stack:${stack.stackId} is in ${stack.status} state and can not be updated.`,
      );
    changeSet.executionStatus = 'EXECUTE_IN_PROGRESS';
    // Executing one change set makes every other one of the stack obsolete, as in AWS.
    stack.changeSets = [changeSet];
    const disableRollback = params.get('DisableRollback') === 'true';
    await service.run(stack, async () => {
      if (changeSet.type === 'CREATE') {
        stack.inputs = changeSet.inputs;
        stack.disableRollback = disableRollback;
        await service.engine.create(stack);
      } else await service.engine.update(stack, changeSet.inputs, { disableRollback });
      changeSet.executionStatus =
        stack.status.endsWith('_COMPLETE') && !stack.status.includes('ROLLBACK')
          ? 'EXECUTE_COMPLETE'
          : 'EXECUTE_FAILED';
      await service.store.save();
    });
    return '';
  },
};

async function planOrFail(service: CloudFormationService, stack: Stack, inputs: StackInputs) {
  try {
    return await service.engine.plan(stack, inputs);
  } catch (error: unknown) {
    if (error instanceof ResolveError) throw validation(`Template error: ${error.message}`);
    throw error;
  }
}
