import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inProgress } from './cloudformation/model.js';
import type { ServiceName } from './gateway.js';

/** Whether a folder holds a file whose name ends so (a missing folder holds none). */
async function holds(folder: string, suffix: string): Promise<boolean> {
  const files = await readdir(folder).catch(() => [] as string[]);
  return files.some((file) => file.endsWith(suffix));
}

/** A JSON state file's document, or undefined when there is none (or it is unreadable: the service says why). */
async function readState(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The services whose saved state holds work that runs with no call: armed schedules, journalled
 * asynchronous invocations, buffered Firehose records, interrupted stack operations. Read cheaply
 * (a folder listing, a small JSON file), so that an idle state folder starts nothing.
 */
export async function servicesWithPendingWork(stateDir: string): Promise<ServiceName[]> {
  const [schedules, events, streams, stacks] = await Promise.all([
    readState(join(stateDir, 'scheduler', 'state.json')),
    holds(join(stateDir, 'lambda', 'async'), '.json'),
    readdir(join(stateDir, 'firehose')).catch(() => [] as string[]),
    readState(join(stateDir, 'cloudformation', 'stacks.json')),
  ]);
  const pending: ServiceName[] = [];
  const scheduleList = (schedules as { schedules?: unknown[] } | undefined)?.schedules;
  if (Array.isArray(scheduleList) && scheduleList.length > 0) pending.push('scheduler');
  if (events) pending.push('lambda');
  if (streams.length > 0) pending.push('firehose');
  // The same test as CloudFormation's own recovery; model.ts is types and small helpers only.
  if (
    Array.isArray(stacks) &&
    stacks.some(
      (stack: { status?: unknown }) => typeof stack.status === 'string' && inProgress(stack.status),
    )
  )
    pending.push('cloudformation');
  return pending;
}
