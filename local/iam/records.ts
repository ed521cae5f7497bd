import { join } from 'node:path';
import { Clock } from '../clock.js';
import { JsonFile } from '../state.js';
import type { IamState, ManagedPolicy, Role } from './model.js';

/**
 * What local IAM's stores share: the state file, its revision, the clock, and the lookups roles
 * and managed policies make of each other.
 */
export abstract class IamRecords {
  protected state: IamState = { roles: [], policies: [], providers: [] };
  /** Bumped on every change, so that cached IAM decisions know when policies changed. */
  revision = 0;

  constructor(
    private readonly stateDir: string,
    private readonly clock: Clock = new Clock(),
  ) {}

  private file(): JsonFile<IamState> {
    return new JsonFile(join(this.stateDir, 'iam', 'iam.json'), () => ({
      roles: [],
      policies: [],
      providers: [],
    }));
  }

  /** Loads what the previous run saved. */
  async load(): Promise<void> {
    this.state = await this.file().read();
    this.revision += 1;
  }

  protected save(): Promise<void> {
    this.revision += 1;
    return this.file().write(this.state);
  }

  protected now(): number {
    return this.clock.now();
  }

  protected findRole(name: string): Role | undefined {
    return this.state.roles.find((role) => role.name === name);
  }

  protected findPolicy(policyArn: string): ManagedPolicy | undefined {
    return this.state.policies.find((policy) => policy.arn === policyArn);
  }

  /** How many roles a managed policy is attached to. */
  attachmentCount(policyArn: string): number {
    return this.state.roles.filter((role) => role.attachedPolicies.includes(policyArn)).length;
  }
}
