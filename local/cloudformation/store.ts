import { join } from 'node:path';
import { JsonFile } from '../state.js';
import type { Stack } from './model.js';

/** Every stack of every region (deleted ones too, as ListStacks shows them), in one JSON file. */
export class StackStore {
  private readonly stacks = new Map<string, Stack>();
  private readonly file: JsonFile<Stack[]>;

  constructor(stateDir: string) {
    this.file = new JsonFile(join(stateDir, 'cloudformation', 'stacks.json'), () => []);
  }

  /** Loads the stacks saved by the previous run. */
  async load(): Promise<Stack[]> {
    for (const stack of await this.file.read()) this.stacks.set(stack.stackId, stack);
    return [...this.stacks.values()];
  }

  /** Writes every stack; writes are serialised in call order. */
  save(): Promise<void> {
    return this.file.write([...this.stacks.values()]);
  }

  add(stack: Stack): void {
    this.stacks.set(stack.stackId, stack);
  }

  remove(stack: Stack): void {
    this.stacks.delete(stack.stackId);
  }

  /**
   * The stack a name or stack id names in a region: by name only a stack that is not deleted,
   * by id any stack, as CloudFormation looks them up.
   */
  find(region: string, nameOrId: string): Stack | undefined {
    if (nameOrId.startsWith('arn:')) {
      const stack = this.stacks.get(nameOrId);
      return stack?.region === region ? stack : undefined;
    }
    return [...this.stacks.values()].find(
      (stack) =>
        stack.region === region && stack.name === nameOrId && stack.status !== 'DELETE_COMPLETE',
    );
  }

  /** Every stack of every region. */
  all(): Stack[] {
    return [...this.stacks.values()];
  }

  /** The region's stacks, newest first. */
  list(region: string): Stack[] {
    return [...this.stacks.values()]
      .filter((stack) => stack.region === region)
      .sort((a, b) => b.creationTime.localeCompare(a.creationTime));
  }
}
