import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import type { Capability, Parameter, Stack, StackEvent } from '@aws-sdk/client-cloudformation';

/** A CloudFormation client for local AWS (the endpoint comes from the environment). */
export function cloudFormationClient(): CloudFormationClient {
  return new CloudFormationClient({ maxAttempts: 1 });
}

/** Parameters in the API's shape from a plain object. */
export function parameters(values: Record<string, string>): Parameter[] {
  return Object.entries(values).map(([ParameterKey, ParameterValue]) => ({
    ParameterKey,
    ParameterValue,
  }));
}

/** Waits until no operation runs on the stack, and returns it. */
export async function settled(client: CloudFormationClient, name: string): Promise<Stack> {
  for (;;) {
    const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: name }));
    const stack = Stacks![0]!;
    if (!stack.StackStatus!.endsWith('_IN_PROGRESS') || stack.StackStatus === 'REVIEW_IN_PROGRESS')
      return stack;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Creates a stack from a template text and waits for the operation to end. */
export async function createStack(
  client: CloudFormationClient,
  name: string,
  template: string,
  options: { parameters?: Record<string, string>; capabilities?: Capability[] } = {},
): Promise<Stack> {
  await client.send(
    new CreateStackCommand({
      StackName: name,
      TemplateBody: template,
      Parameters: parameters(options.parameters ?? {}),
      Capabilities: options.capabilities,
    }),
  );
  return settled(client, name);
}

/** Every event of the stack, newest first. */
export async function stackEvents(
  client: CloudFormationClient,
  name: string,
): Promise<StackEvent[]> {
  const events: StackEvent[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new DescribeStackEventsCommand({ StackName: name, NextToken: token }),
    );
    events.push(...(page.StackEvents ?? []));
    token = page.NextToken;
  } while (token);
  return events;
}
