import {
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  GetTemplateCommand,
} from '@aws-sdk/client-cloudformation';
import type {
  Change,
  CloudFormationClient,
  Stack,
  StackEvent,
} from '@aws-sdk/client-cloudformation';
import { callAws, errorName } from './aws.js';
import type { RetryOptions } from './aws.js';
import { StackStateError, StepError } from './errors.js';
import { markdownTable } from './report.js';
import type { Clock, Reporter } from './report.js';
import { waitUntil } from './wait.js';

/** What a stack operation needs besides its client: where to report, time, and its bound. */
export interface StackContext {
  reporter: Reporter;
  clock: Clock;
  /** When the whole step must be over (clock milliseconds). */
  deadline: number;
  retry?: RetryOptions;
}

/** A stack to deploy through a change set. */
export interface StackDeployment {
  stackName: string;
  templateBody: string;
  parameters: { ParameterKey: string; ParameterValue: string }[];
  capabilities?: ('CAPABILITY_IAM' | 'CAPABILITY_NAMED_IAM' | 'CAPABILITY_AUTO_EXPAND')[];
}

/** How a deployment ended. */
export interface StackDeployResult {
  stackName: string;
  changed: boolean;
  status: string;
  outputs: Record<string, string>;
}

const SUCCEEDED = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'IMPORT_COMPLETE']);
const POLL_MS = 1_000;

const inProgress = (status: string | undefined) => status?.endsWith('_IN_PROGRESS') ?? false;

/** A stack's current description, or undefined when there is none by that name (or id). */
export async function describeStack(
  cloudFormation: CloudFormationClient,
  stackName: string,
  retry?: RetryOptions,
): Promise<Stack | undefined> {
  try {
    const { Stacks } = await callAws(
      { action: 'cloudformation:DescribeStacks', resource: `stack ${stackName}` },
      () => cloudFormation.send(new DescribeStacksCommand({ StackName: stackName })),
      retry,
    );
    const stack = Stacks?.[0];
    return stack?.StackStatus === 'DELETE_COMPLETE' ? undefined : stack;
  } catch (error: unknown) {
    // CloudFormation answers a name it does not know with a ValidationError (there is no
    // StackNotFound code); our names are validated, so this error means "no such stack".
    if (errorName(error) === 'ValidationError') return undefined;
    throw error;
  }
}

/** The outputs of a stack by OutputKey. */
export function outputsOf(stack: Stack | undefined): Record<string, string> {
  return Object.fromEntries(
    (stack?.Outputs ?? [])
      .filter((output) => output.OutputKey && output.OutputValue !== undefined)
      .map((output) => [output.OutputKey!, output.OutputValue!]),
  );
}

/** Streams a stack's new events into the log, oldest first, and remembers failed ones. */
class EventStream {
  private readonly seen = new Set<string>();
  readonly failures: StackEvent[] = [];

  constructor(
    private readonly cloudFormation: CloudFormationClient,
    private readonly stackId: string,
    private readonly context: StackContext,
  ) {}

  /** Marks every event so far as seen: only what happens from now on is shown. */
  async skipExisting(): Promise<void> {
    for (const event of await this.page()) this.seen.add(event.EventId ?? '');
  }

  private async page(): Promise<StackEvent[]> {
    const { StackEvents } = await callAws(
      { action: 'cloudformation:DescribeStackEvents', resource: `stack ${this.stackId}` },
      () => this.cloudFormation.send(new DescribeStackEventsCommand({ StackName: this.stackId })),
      this.context.retry,
    );
    return StackEvents ?? [];
  }

  async poll(): Promise<void> {
    const fresh = (await this.page()).filter((event) => !this.seen.has(event.EventId ?? ''));
    for (const event of fresh.reverse()) {
      this.seen.add(event.EventId ?? '');
      const reason = event.ResourceStatusReason ? `: ${event.ResourceStatusReason}` : '';
      this.context.reporter.info(
        `  ${event.Timestamp?.toISOString().slice(11, 19) ?? ''}  ${event.ResourceStatus ?? ''}  ${event.LogicalResourceId ?? ''} (${event.ResourceType ?? ''})${reason}`,
      );
      if (
        event.ResourceStatus?.endsWith('_FAILED') &&
        event.ResourceType !== 'AWS::CloudFormation::Stack'
      )
        this.failures.push(event);
    }
  }

  /** Each resource that failed and why, for the error message. */
  failureReasons(): string {
    const reasons = this.failures.map(
      (event) =>
        `${event.LogicalResourceId} (${event.ResourceType}) ${event.ResourceStatus}: ${event.ResourceStatusReason ?? 'no reason given'}`,
    );
    return reasons.length > 0 ? reasons.join('; ') : 'CloudFormation gave no resource failure';
  }
}

/** Waits until the stack is no longer *_IN_PROGRESS, streaming its events; returns its final state. */
async function waitForStack(
  cloudFormation: CloudFormationClient,
  stackId: string,
  events: EventStream,
  context: StackContext,
): Promise<Stack | undefined> {
  let last: Stack | undefined;
  await waitUntil({
    what: `stack ${stackId.split('/')[1] ?? stackId} to finish`,
    poll: async () => {
      await events.poll();
      last = await describeStack(cloudFormation, stackId, context.retry);
      return last?.StackStatus ?? 'DELETE_COMPLETE';
    },
    done: (status) => !inProgress(status),
    describe: (status) => status,
    timeoutMs: Math.max(0, context.deadline - context.clock.now()),
    intervalMs: POLL_MS,
    clock: context.clock,
    reporter: context.reporter,
  });
  await events.poll();
  return last;
}

/**
 * Deletes a stack and waits until it is gone; true when there was one. A DELETE_FAILED stack
 * stops with each resource that failed and why.
 */
export async function deleteStack(
  cloudFormation: CloudFormationClient,
  stackName: string,
  context: StackContext,
): Promise<boolean> {
  const stack = await describeStack(cloudFormation, stackName, context.retry);
  if (!stack?.StackId) return false;
  const stackId = stack.StackId;
  const events = new EventStream(cloudFormation, stackId, context);
  await events.skipExisting();
  if (inProgress(stack.StackStatus)) {
    context.reporter.info(`${stackName} is ${stack.StackStatus}; waiting for it to finish first`);
    await waitForStack(cloudFormation, stackId, events, context);
  }
  context.reporter.info(`Deleting stack ${stackName}`);
  await callAws(
    { action: 'cloudformation:DeleteStack', resource: `stack ${stackName}` },
    () => cloudFormation.send(new DeleteStackCommand({ StackName: stackId })),
    context.retry,
  );
  const final = await waitForStack(cloudFormation, stackId, events, context);
  if (final && final.StackStatus !== 'DELETE_COMPLETE')
    throw new StackStateError(
      `stack ${stackName} could not be deleted (${final.StackStatus}): ${events.failureReasons()}. ` +
        'Fix what blocks those resources (or delete them by hand) and run the step again',
    );
  context.reporter.info(`Stack ${stackName} deleted`);
  return true;
}

async function changeSetChanges(
  cloudFormation: CloudFormationClient,
  changeSetId: string,
  context: StackContext,
): Promise<{ status: string; reason?: string; changes: Change[] }> {
  const changes: Change[] = [];
  let token: string | undefined;
  let status = '';
  let reason: string | undefined;
  do {
    const page = await callAws(
      { action: 'cloudformation:DescribeChangeSet', resource: changeSetId },
      () =>
        cloudFormation.send(
          new DescribeChangeSetCommand({ ChangeSetName: changeSetId, NextToken: token }),
        ),
      context.retry,
    );
    status = page.Status ?? '';
    reason = page.StatusReason;
    changes.push(...(page.Changes ?? []));
    token = page.NextToken;
  } while (token);
  return { status, ...(reason === undefined ? {} : { reason }), changes };
}

/** Whether the deployed stack already has exactly this template and these parameters. */
async function sameAsDeployed(
  cloudFormation: CloudFormationClient,
  stack: Stack,
  deployment: StackDeployment,
  context: StackContext,
): Promise<boolean> {
  const { TemplateBody } = await callAws(
    { action: 'cloudformation:GetTemplate', resource: `stack ${deployment.stackName}` },
    () =>
      cloudFormation.send(
        new GetTemplateCommand({ StackName: stack.StackId, TemplateStage: 'Original' }),
      ),
    context.retry,
  );
  if (TemplateBody !== deployment.templateBody) return false;
  const deployed = new Map((stack.Parameters ?? []).map((p) => [p.ParameterKey, p.ParameterValue]));
  return deployment.parameters.every((p) => deployed.get(p.ParameterKey) === p.ParameterValue);
}

/** Brings a stack to a state a change set can start from, or says why it cannot. */
async function readyStack(
  cloudFormation: CloudFormationClient,
  stackName: string,
  context: StackContext,
): Promise<Stack | undefined> {
  let stack = await describeStack(cloudFormation, stackName, context.retry);
  if (
    stack?.StackId &&
    inProgress(stack.StackStatus) &&
    stack.StackStatus !== 'REVIEW_IN_PROGRESS'
  ) {
    context.reporter.info(`${stackName} is ${stack.StackStatus}; waiting for it to finish first`);
    const events = new EventStream(cloudFormation, stack.StackId, context);
    await events.skipExisting();
    stack = await waitForStack(cloudFormation, stack.StackId, events, context);
  }
  switch (stack?.StackStatus) {
    case 'ROLLBACK_COMPLETE':
      context.reporter.warning(
        `${stackName} is in ROLLBACK_COMPLETE: its first create failed and it cannot be updated, so it is deleted and created again`,
      );
      await deleteStack(cloudFormation, stackName, context);
      return undefined;
    case 'UPDATE_ROLLBACK_FAILED':
      throw new StackStateError(
        `${stackName} is in UPDATE_ROLLBACK_FAILED: an update failed and so did its rollback. ` +
          `Fix the resource that could not roll back (see the stack's events), then run ` +
          `"aws cloudformation continue-update-rollback --stack-name ${stackName}" ` +
          '(add --resources-to-skip <LogicalId> for a resource that cannot be fixed) and run deploy again',
      );
    case 'ROLLBACK_FAILED':
    case 'DELETE_FAILED':
      throw new StackStateError(
        `${stackName} is in ${stack.StackStatus} and can neither be updated nor created again; ` +
          `delete it (the teardown action, or "aws cloudformation delete-stack --stack-name ${stackName}") and run deploy again`,
      );
    default:
      return stack;
  }
}

/**
 * Creates or updates a stack through a change set: the changes go to the summary before they
 * are executed, events stream into the log, and a failure names each resource and its reason.
 * A change set without changes is deleted and reported as `changed: false`.
 */
export async function deployStack(
  cloudFormation: CloudFormationClient,
  deployment: StackDeployment,
  context: StackContext,
): Promise<StackDeployResult> {
  const { reporter, clock } = context;
  const { stackName } = deployment;
  const existing = await readyStack(cloudFormation, stackName, context);
  const type = existing && existing.StackStatus !== 'REVIEW_IN_PROGRESS' ? 'UPDATE' : 'CREATE';
  const changeSetName = `deploy-${clock.now()}`;
  reporter.info(
    `${type === 'CREATE' ? 'Creating' : 'Updating'} stack ${stackName}: change set ${changeSetName}`,
  );
  const created = await callAws(
    { action: 'cloudformation:CreateChangeSet', resource: `stack ${stackName}` },
    () =>
      cloudFormation.send(
        new CreateChangeSetCommand({
          StackName: stackName,
          ChangeSetName: changeSetName,
          ChangeSetType: type,
          TemplateBody: deployment.templateBody,
          Parameters: deployment.parameters,
          Capabilities: deployment.capabilities,
        }),
      ),
    context.retry,
  );
  const changeSetId = created.Id!;
  const described = await waitUntil({
    what: `change set ${changeSetName} of ${stackName}`,
    poll: () => changeSetChanges(cloudFormation, changeSetId, context),
    done: (state) => state.status === 'CREATE_COMPLETE' || state.status === 'FAILED',
    describe: (state) => state.status,
    timeoutMs: Math.max(0, context.deadline - clock.now()),
    intervalMs: 500,
    clock,
    reporter,
  });
  const deleteChangeSet = () =>
    callAws(
      { action: 'cloudformation:DeleteChangeSet', resource: `stack ${stackName}` },
      () => cloudFormation.send(new DeleteChangeSetCommand({ ChangeSetName: changeSetId })),
      context.retry,
    );
  if (described.status === 'FAILED') {
    // CloudFormation gives an empty change set no code of its own, only a FAILED status: it is
    // "no changes" when the stack already runs this very template with these parameters.
    if (
      type === 'UPDATE' &&
      described.changes.length === 0 &&
      (await sameAsDeployed(cloudFormation, existing!, deployment, context))
    ) {
      await deleteChangeSet();
      reporter.info(`${stackName} is up to date: no changes (the empty change set was deleted)`);
      reporter.summary(`### ${stackName}\n\nNo changes: the stack already matches.`);
      return {
        stackName,
        changed: false,
        status: existing!.StackStatus!,
        outputs: outputsOf(existing),
      };
    }
    throw new StepError(
      `CloudFormation could not create the change set for ${stackName}: ${described.reason ?? 'no reason given'}`,
    );
  }
  reporter.summary(
    `### Changes to ${stackName}\n\n` +
      markdownTable(
        ['action', 'logical id', 'type', 'replacement'],
        described.changes.map((change) => [
          change.ResourceChange?.Action ?? '',
          change.ResourceChange?.LogicalResourceId ?? '',
          change.ResourceChange?.ResourceType ?? '',
          change.ResourceChange?.Replacement ?? '',
        ]),
      ),
  );
  reporter.info(`${described.changes.length} change(s); executing`);
  const stackId =
    (await describeStack(cloudFormation, stackName, context.retry))?.StackId ?? stackName;
  const events = new EventStream(cloudFormation, stackId, context);
  await events.skipExisting();
  await callAws(
    { action: 'cloudformation:ExecuteChangeSet', resource: `stack ${stackName}` },
    () => cloudFormation.send(new ExecuteChangeSetCommand({ ChangeSetName: changeSetId })),
    context.retry,
  );
  const final = await waitForStack(cloudFormation, stackId, events, context);
  const status = final?.StackStatus ?? 'DELETE_COMPLETE';
  if (!SUCCEEDED.has(status))
    throw new StepError(`deploying ${stackName} failed (${status}): ${events.failureReasons()}`);
  reporter.info(`Stack ${stackName} is ${status}`);
  return { stackName, changed: true, status, outputs: outputsOf(final) };
}
