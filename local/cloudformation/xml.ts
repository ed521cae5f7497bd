import { xmlEscape } from '../http.js';
import type { Change, ChangeSet, Stack, StackEvent, StackResource } from './model.js';
import type { Template } from './template.js';
import { declaredParameters } from './template.js';

type Value = string | number | boolean | undefined | null;

/** `<name>value</name>`, or nothing when the value is absent. */
export function element(name: string, value: Value): string {
  return value === undefined || value === null
    ? ''
    : `<${name}>${xmlEscape(String(value))}</${name}>`;
}

/** A query-protocol list: `<name><member>...</member>...</name>`. */
export function members(name: string, items: readonly string[]): string {
  return `<${name}>${items.map((item) => `<member>${item}</member>`).join('')}</${name}>`;
}

function texts(name: string, values: readonly string[]): string {
  return members(
    name,
    values.map((value) => xmlEscape(value)),
  );
}

function tags(stackTags: readonly { Key: string; Value: string }[]): string {
  return members(
    'Tags',
    stackTags.map((tag) => element('Key', tag.Key) + element('Value', tag.Value)),
  );
}

/** Parameters as DescribeStacks and DescribeChangeSet show them: NoEcho values masked. */
export function parametersXml(template: Template, values: Record<string, string>): string {
  const declared = declaredParameters(template);
  return members(
    'Parameters',
    Object.entries(values).map(([key, value]) => {
      const noEcho = String(declared[key]?.NoEcho) === 'true';
      return element('ParameterKey', key) + element('ParameterValue', noEcho ? '****' : value);
    }),
  );
}

/** One stack of DescribeStacks. */
export function stackXml(stack: Stack, template: Template): string {
  return (
    element('StackId', stack.stackId) +
    element('StackName', stack.name) +
    element('Description', stack.description) +
    parametersXml(template, stack.inputs.parameters) +
    element('CreationTime', stack.creationTime) +
    element('LastUpdatedTime', stack.lastUpdatedTime) +
    element('DeletionTime', stack.deletionTime) +
    element('StackStatus', stack.status) +
    element('StackStatusReason', stack.statusReason) +
    element('DisableRollback', stack.disableRollback) +
    texts('NotificationARNs', stack.inputs.notificationArns) +
    texts('Capabilities', stack.inputs.capabilities) +
    members(
      'Outputs',
      stack.outputs.map(
        (output) =>
          element('OutputKey', output.key) +
          element('OutputValue', output.value) +
          element('Description', output.description) +
          element('ExportName', output.exportName),
      ),
    ) +
    tags(stack.inputs.tags) +
    element('EnableTerminationProtection', false) +
    `<DriftInformation>${element('StackDriftStatus', 'NOT_CHECKED')}</DriftInformation>`
  );
}

/** One entry of ListStacks. */
export function stackSummaryXml(stack: Stack): string {
  return (
    element('StackId', stack.stackId) +
    element('StackName', stack.name) +
    element('TemplateDescription', stack.description) +
    element('CreationTime', stack.creationTime) +
    element('LastUpdatedTime', stack.lastUpdatedTime) +
    element('DeletionTime', stack.deletionTime) +
    element('StackStatus', stack.status) +
    element('StackStatusReason', stack.statusReason) +
    `<DriftInformation>${element('StackDriftStatus', 'NOT_CHECKED')}</DriftInformation>`
  );
}

/** One entry of DescribeStackEvents. */
export function eventXml(stack: Stack, event: StackEvent): string {
  return (
    element('StackId', stack.stackId) +
    element('EventId', event.eventId) +
    element('StackName', stack.name) +
    element('LogicalResourceId', event.logicalId) +
    element('PhysicalResourceId', event.physicalId) +
    element('ResourceType', event.type) +
    element('Timestamp', event.timestamp) +
    element('ResourceStatus', event.status) +
    element('ResourceStatusReason', event.reason) +
    element('ResourceProperties', event.properties)
  );
}

/** One resource, in the shape `kind` names (summary, resource or detail). */
export function resourceXml(
  stack: Stack,
  resource: StackResource,
  kind: 'summary' | 'resource' | 'detail',
): string {
  const common =
    element('LogicalResourceId', resource.logicalId) +
    element('PhysicalResourceId', resource.physicalId) +
    element('ResourceType', resource.type) +
    element('ResourceStatus', resource.status) +
    element('ResourceStatusReason', resource.statusReason) +
    `<DriftInformation>${element('StackResourceDriftStatus', 'NOT_CHECKED')}</DriftInformation>`;
  const where = element('StackName', stack.name) + element('StackId', stack.stackId);
  switch (kind) {
    case 'summary':
      return common + element('LastUpdatedTimestamp', resource.lastUpdated);
    case 'resource':
      return common + where + element('Timestamp', resource.lastUpdated);
    case 'detail':
      return common + where + element('LastUpdatedTimestamp', resource.lastUpdated);
  }
}

function changeXml(change: Change): string {
  return (
    element('Type', 'Resource') +
    '<ResourceChange>' +
    element('Action', change.action) +
    element('LogicalResourceId', change.logicalId) +
    element('PhysicalResourceId', change.physicalId) +
    element('ResourceType', change.type) +
    element('Replacement', change.replacement) +
    texts('Scope', change.scope) +
    members(
      'Details',
      change.details.map(
        (detail) =>
          '<Target>' +
          element('Attribute', detail.attribute) +
          element('Name', detail.name) +
          element('RequiresRecreation', detail.requiresRecreation) +
          '</Target>' +
          element(
            'Evaluation',
            detail.changeSource === 'DirectModification' ? 'Static' : 'Dynamic',
          ) +
          element('ChangeSource', detail.changeSource) +
          element('CausingEntity', detail.causingEntity),
      ),
    ) +
    '</ResourceChange>'
  );
}

/** DescribeChangeSet's result. */
export function changeSetXml(stack: Stack, changeSet: ChangeSet, template: Template): string {
  return (
    element('ChangeSetName', changeSet.name) +
    element('ChangeSetId', changeSet.id) +
    element('StackId', stack.stackId) +
    element('StackName', stack.name) +
    element('Description', changeSet.description) +
    parametersXml(template, changeSet.inputs.parameters) +
    element('CreationTime', changeSet.creationTime) +
    element('ExecutionStatus', changeSet.executionStatus) +
    element('Status', changeSet.status) +
    element('StatusReason', changeSet.statusReason) +
    texts('NotificationARNs', changeSet.inputs.notificationArns) +
    texts('Capabilities', changeSet.inputs.capabilities) +
    tags(changeSet.inputs.tags) +
    members('Changes', changeSet.changes.map(changeXml)) +
    element('IncludeNestedStacks', false)
  );
}

/** One entry of ListChangeSets. */
export function changeSetSummaryXml(stack: Stack, changeSet: ChangeSet): string {
  return (
    element('StackId', stack.stackId) +
    element('StackName', stack.name) +
    element('ChangeSetId', changeSet.id) +
    element('ChangeSetName', changeSet.name) +
    element('ExecutionStatus', changeSet.executionStatus) +
    element('Status', changeSet.status) +
    element('StatusReason', changeSet.statusReason) +
    element('CreationTime', changeSet.creationTime) +
    element('Description', changeSet.description) +
    element('IncludeNestedStacks', false)
  );
}
