import type { TemplateValue } from '../../lib/templates/parse.js';

/** A resource's resolved properties, as they were given to its provisioner. */
export type Properties = { [key: string]: TemplateValue };

/** One resource of a stack, as provisioned. */
export interface StackResource {
  logicalId: string;
  type: string;
  /** The physical id: what `Ref` returns for most types. */
  physicalId: string;
  status: string;
  statusReason?: string;
  properties: Properties;
  /** What `Ref` and `Fn::GetAtt` give for this resource. */
  ref: TemplateValue;
  attributes: Record<string, TemplateValue>;
  /** `Retain` keeps the resource when it leaves the stack. */
  deletionPolicy?: string;
  /** `Retain` keeps the old resource when an update replaces it. */
  updateReplacePolicy?: string;
  lastUpdated: string;
}

/** One entry of DescribeStackEvents. */
export interface StackEvent {
  eventId: string;
  logicalId: string;
  physicalId: string;
  type: string;
  timestamp: string;
  status: string;
  reason?: string;
  properties?: string;
}

/** One output of a stack, resolved. */
export interface StackOutput {
  key: string;
  value: string;
  description?: string;
  exportName?: string;
}

/** A key and value, as CloudFormation lists parameters and tags. */
export interface Tag {
  Key: string;
  Value: string;
}

/** A stack's template and its bound inputs: what an update replaces and a rollback restores. */
export interface StackInputs {
  templateBody: string;
  /** Every declared parameter's value, defaults included. */
  parameters: Record<string, string>;
  capabilities: string[];
  tags: Tag[];
  notificationArns: string[];
}

/** One line of a change set. */
export interface Change {
  action: 'Add' | 'Modify' | 'Remove';
  logicalId: string;
  physicalId?: string;
  type: string;
  replacement?: 'True' | 'False' | 'Conditional';
  scope: string[];
  details: {
    attribute: string;
    name: string;
    requiresRecreation: string;
    changeSource: string;
    /** The parameter (or resource) whose change causes this one. */
    causingEntity?: string;
  }[];
}

/** A change set: a planned create or update, kept until executed or deleted. */
export interface ChangeSet {
  id: string;
  name: string;
  type: 'CREATE' | 'UPDATE';
  status: string;
  statusReason?: string;
  executionStatus: string;
  creationTime: string;
  description?: string;
  inputs: StackInputs;
  changes: Change[];
}

/** A stack with everything local AWS knows about it. */
export interface Stack {
  stackId: string;
  name: string;
  region: string;
  status: string;
  statusReason?: string;
  description?: string;
  creationTime: string;
  lastUpdatedTime?: string;
  deletionTime?: string;
  disableRollback: boolean;
  inputs: StackInputs;
  /** The inputs and resources before the update in progress, for its rollback. */
  previous?: {
    inputs: StackInputs;
    resources: Record<string, StackResource>;
    outputs: StackOutput[];
  };
  resources: Record<string, StackResource>;
  outputs: StackOutput[];
  /** The exports of other stacks this one imports: those stacks cannot delete them. */
  imports?: string[];
  /** Newest last; DescribeStackEvents lists them newest first. */
  events: StackEvent[];
  changeSets: ChangeSet[];
}

/** The statuses in which a stack operation is running. */
export function inProgress(status: string): boolean {
  return status.endsWith('_IN_PROGRESS') && status !== 'REVIEW_IN_PROGRESS';
}

/** Every stack status, for ListStacks' filter. */
export const STACK_STATUSES = [
  'CREATE_IN_PROGRESS',
  'CREATE_FAILED',
  'CREATE_COMPLETE',
  'ROLLBACK_IN_PROGRESS',
  'ROLLBACK_FAILED',
  'ROLLBACK_COMPLETE',
  'DELETE_IN_PROGRESS',
  'DELETE_FAILED',
  'DELETE_COMPLETE',
  'UPDATE_IN_PROGRESS',
  'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
  'UPDATE_COMPLETE',
  'UPDATE_FAILED',
  'UPDATE_ROLLBACK_IN_PROGRESS',
  'UPDATE_ROLLBACK_FAILED',
  'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
  'UPDATE_ROLLBACK_COMPLETE',
  'REVIEW_IN_PROGRESS',
  'IMPORT_IN_PROGRESS',
  'IMPORT_COMPLETE',
  'IMPORT_ROLLBACK_IN_PROGRESS',
  'IMPORT_ROLLBACK_FAILED',
  'IMPORT_ROLLBACK_COMPLETE',
] as const;
