import type { ActiveFaults } from './faultSchema.js';

export type { FaultSettings } from './faultSchema.js';

type Service = 'firehose';
type Kind = 'failRate' | 'throttleRate';

/**
 * Current faults. A rate is applied evenly, not randomly: with 0.5, exactly every second entry
 * fails, so tests that count failures are repeatable.
 */
export class Faults {
  private settings: ActiveFaults = {};
  private readonly owed = new Map<string, number>();

  /** Replaces the settings, as `parseFaultSettings` (faultSchema.ts) read them. */
  set(settings: ActiveFaults): void {
    this.settings = settings;
    this.owed.clear();
  }

  /** Removes every fault. */
  clear(): void {
    this.settings = {};
    this.owed.clear();
  }

  /** The settings in force. */
  get(): ActiveFaults {
    return this.settings;
  }

  /** Whether this call or entry should fail. */
  roll(service: Service, kind: Kind): boolean {
    const share = this.settings[service]?.[kind] ?? 0;
    if (share === 0) return false;
    const key = `${service}.${kind}`;
    const owed = (this.owed.get(key) ?? 0) + share;
    const fail = owed >= 1 - 1e-9;
    this.owed.set(key, fail ? owed - 1 : owed);
    return fail;
  }

  /** The error code failed entries carry. */
  errorCode(service: Service): string {
    return this.settings[service]?.errorCode ?? 'ServiceUnavailableException';
  }
}
