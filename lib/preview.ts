import {
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import type { CloudFormationClient, Change } from '@aws-sdk/client-cloudformation';
import type { ParameterValues } from './templates/parameters.js';
import { toCloudFormationParameters } from './templates/parameters.js';

/** Thrown when a change set does not finish being created in time. */
export class PreviewTimeoutError extends Error {
  override name = 'PreviewTimeoutError';
}

/** One resource the change set would add, modify or remove. */
export interface PreviewChange {
  action: string;
  logicalId: string;
  type: string;
  /** For Modify: True, False or Conditional (CloudFormation's own words). */
  replacement?: string;
  /** For Modify: which parts change (Properties, Metadata, Tags...). */
  scope: string[];
}

/** What merging would do to the deployed stack. */
export type PreviewResult =
  | { status: 'no-stack'; stackName: string }
  | { status: 'changes'; stackName: string; changes: PreviewChange[] }
  | { status: 'not-created'; stackName: string; reason: string };

/** How to preview one stack update. */
export interface PreviewOptions {
  stackName: string;
  templateBody: string;
  parameters: ParameterValues;
  /** Unique per run, so two previews of one stack never collide. */
  changeSetName: string;
  /** Passed in so tests need not wait (default: a real timer). */
  sleep?: (ms: number) => Promise<void>;
  pollMs?: number;
  /** How many times to ask whether the change set is ready before giving up. */
  maxPolls?: number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The AWS error name CloudFormation gives for a stack that does not exist (and other bad input). */
const VALIDATION_ERROR = 'ValidationError';

/** Whether the stack exists in a state a change set can update. */
async function stackExists(cloudFormation: CloudFormationClient, stackName: string) {
  try {
    const { Stacks } = await cloudFormation.send(
      new DescribeStacksCommand({ StackName: stackName }),
    );
    // A stack that a change set created but nobody executed holds no resources to compare with.
    return (Stacks ?? []).some((stack) => stack.StackStatus !== 'REVIEW_IN_PROGRESS');
  } catch (error: unknown) {
    // CloudFormation's only signal for a missing stack is a ValidationError; our stack names
    // are derived and valid, so here it means the stack has not been deployed yet.
    if (error instanceof Error && error.name === VALIDATION_ERROR) return false;
    throw error;
  }
}

function toChange(change: Change): PreviewChange | undefined {
  const resource = change.ResourceChange;
  if (!resource) return undefined;
  return {
    action: resource.Action ?? 'Unknown',
    logicalId: resource.LogicalResourceId ?? '',
    type: resource.ResourceType ?? '',
    ...(resource.Replacement ? { replacement: resource.Replacement } : {}),
    scope: resource.Scope ?? [],
  };
}

/**
 * Previews what deploying `templateBody` with `parameters` would do to the stack: creates a
 * change set (never executes it), waits for it, reads every change, and deletes it again,
 * also when reading fails. A stack that is not deployed yet has nothing to compare with.
 */
export async function previewChangeSet(
  cloudFormation: CloudFormationClient,
  options: PreviewOptions,
): Promise<PreviewResult> {
  const { stackName, changeSetName } = options;
  const sleep = options.sleep ?? realSleep;
  const pollMs = options.pollMs ?? 3000;
  const maxPolls = options.maxPolls ?? 100;
  if (!(await stackExists(cloudFormation, stackName))) return { status: 'no-stack', stackName };

  await cloudFormation.send(
    new CreateChangeSetCommand({
      StackName: stackName,
      ChangeSetName: changeSetName,
      ChangeSetType: 'UPDATE',
      TemplateBody: options.templateBody,
      Parameters: toCloudFormationParameters(options.parameters),
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      Description: 'Preview of a pull request; created to be read and deleted, never executed.',
    }),
  );
  try {
    for (let poll = 0; poll < maxPolls; poll += 1) {
      const first = await cloudFormation.send(
        new DescribeChangeSetCommand({ StackName: stackName, ChangeSetName: changeSetName }),
      );
      if (first.Status === 'FAILED')
        return {
          status: 'not-created',
          stackName,
          reason: first.StatusReason ?? 'no reason given',
        };
      if (first.Status === 'CREATE_COMPLETE') {
        const changes = (first.Changes ?? []).map(toChange);
        let token = first.NextToken;
        while (token) {
          const page = await cloudFormation.send(
            new DescribeChangeSetCommand({
              StackName: stackName,
              ChangeSetName: changeSetName,
              NextToken: token,
            }),
          );
          changes.push(...(page.Changes ?? []).map(toChange));
          token = page.NextToken;
        }
        return {
          status: 'changes',
          stackName,
          changes: changes.filter((change): change is PreviewChange => change !== undefined),
        };
      }
      await sleep(pollMs);
    }
    throw new PreviewTimeoutError(
      `change set ${changeSetName} of ${stackName} was not ready after ${maxPolls} checks ${pollMs} ms apart`,
    );
  } finally {
    await cloudFormation.send(
      new DeleteChangeSetCommand({ StackName: stackName, ChangeSetName: changeSetName }),
    );
  }
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** The preview as the Markdown of a pull-request comment. */
export function formatPreview(result: PreviewResult): string {
  const title = `### Change-set preview: ${result.stackName}`;
  switch (result.status) {
    case 'no-stack':
      return `${title}\n\nThe stack is not deployed yet: merging deploys it for the first time.\n`;
    case 'not-created':
      return `${title}\n\nCloudFormation created no change set: ${result.reason}\n`;
    case 'changes': {
      if (result.changes.length === 0)
        return `${title}\n\nThe change set lists no resource changes.\n`;
      const replaced = result.changes.filter((c) => c.replacement === 'True').length;
      const rows = result.changes.map(
        (c) =>
          `| ${cell(c.action)} | ${cell(c.logicalId)} | ${cell(c.type)} | ${cell(c.replacement ?? '')} | ${cell(c.scope.join(', '))} |`,
      );
      return [
        title,
        '',
        `Merging would change ${result.changes.length} resource(s)` +
          (replaced > 0
            ? `, replacing ${replaced} (a replaced table or bucket loses its data).`
            : '.'),
        '',
        '| Action | Resource | Type | Replacement | What changes |',
        '| --- | --- | --- | --- | --- |',
        ...rows,
        '',
        '_Created, read and deleted without being executed._',
        '',
      ].join('\n');
    }
  }
}
