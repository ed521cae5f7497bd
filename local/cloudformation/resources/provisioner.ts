import type { TemplateValue } from '../../../lib/templates/parse.js';
import type { Clients } from '../clients.js';
import type { Properties, StackResource } from '../model.js';

/** What a provisioner knows about the resource it works on. */
export interface ProvisionContext {
  region: string;
  accountId: string;
  stackName: string;
  logicalId: string;
  clients: Clients;
  /**
   * The name CloudFormation gives a resource whose name property is left out
   * (`stack-LogicalId-RANDOM`), cut to the service's limit.
   */
  generatedName(options?: { maxLength?: number; lowerCase?: boolean }): string;
  /** Waits between polls of a resource that is still being created or deleted. */
  sleep(ms: number): Promise<void>;
}

/** What a created or updated resource gives back: its physical id and its Ref/GetAtt values. */
export interface Provisioned {
  physicalId: string;
  /** Default: the physical id. */
  ref?: TemplateValue;
  attributes?: Record<string, TemplateValue>;
}

/**
 * Creates, updates and deletes one resource type through its service's API, so CloudFormation goes
 * through the same code paths as any other client.
 */
export interface Provisioner {
  create(context: ProvisionContext, properties: Properties): Promise<Provisioned>;
  /**
   * Changes the resource in place. Absent: every change replaces the resource. Properties the
   * schema marks as replacing never reach it.
   */
  update?(
    context: ProvisionContext,
    current: StackResource,
    properties: Properties,
  ): Promise<Provisioned>;
  /** Deletes the resource; one that is already gone is not an error. */
  delete(context: ProvisionContext, current: StackResource): Promise<void>;
  /**
   * The property that names the resource, if any: a replacement that keeps the name fails, as
   * the new resource could not be created beside the old one.
   */
  nameProperty?: string;
  /** Properties whose change replaces the resource beyond those the schema names. */
  replacing?: readonly string[];
}

/** A resource never reached the state CloudFormation waits for. */
export class StabilizeTimeoutError extends Error {
  override name = 'StabilizeTimeoutError';
}

/**
 * Asks `check` every 50 ms until it gives a value, as CloudFormation waits for a resource to
 * stabilise; gives up after `attempts` (about two minutes), so a stuck service cannot hold a
 * stack in progress for ever.
 */
export async function poll<T>(
  context: ProvisionContext,
  what: string,
  check: () => Promise<T | undefined>,
  attempts = 2400,
): Promise<T> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const value = await check();
    if (value !== undefined) return value;
    await context.sleep(50);
  }
  throw new StabilizeTimeoutError(`${what} did not stabilise after ${attempts} checks`);
}

/** A property as text, or undefined when absent. */
export function textOf(value: TemplateValue | undefined): string | undefined {
  return value === undefined || value === null ? undefined : String(value);
}

/** `[{Key, Value}]` tags from a resource's `Tags` property. */
export function tagsOf(value: TemplateValue | undefined): { Key: string; Value: string }[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((tag) =>
    tag && typeof tag === 'object' && !Array.isArray(tag)
      ? [{ Key: String(tag.Key), Value: String(tag.Value ?? '') }]
      : [],
  );
}

/** The error name an AWS SDK call failed with, if it was one. */
export function awsErrorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

/** Runs a delete, treating "not found" (under any of the given names) as already done. */
export async function ignoringMissing(
  names: readonly string[],
  remove: () => Promise<unknown>,
): Promise<void> {
  try {
    await remove();
  } catch (error: unknown) {
    const name = awsErrorName(error);
    if (name && names.includes(name)) return;
    throw error;
  }
}

/** Whether two property values differ. */
export function changed(
  left: TemplateValue | undefined,
  right: TemplateValue | undefined,
): boolean {
  return JSON.stringify(left) !== JSON.stringify(right);
}
