import { z } from 'zod';

const rate = z.number().min(0).max(1);

/** The faults local AWS injects on purpose, so reliability tests use the real code path. */
export const faultsSchema = z.strictObject({
  firehose: z
    .strictObject({
      /** Share of PutRecordBatch entries (and PutRecord calls) that fail with `errorCode`. */
      failRate: rate.default(0),
      /** Share of PutRecord/PutRecordBatch calls refused whole with ServiceUnavailableException. */
      throttleRate: rate.default(0),
      errorCode: z.string().min(1).default('ServiceUnavailableException'),
    })
    .optional(),
});

/** Fault settings as given to `PUT /_local/faults` or `LOCAL_AWS_FAULTS`. */
export type FaultSettings = z.input<typeof faultsSchema>;

type Service = 'firehose';
type Kind = 'failRate' | 'throttleRate';

/**
 * Current faults. A rate is applied evenly, not randomly: with 0.5, exactly every second entry
 * fails, so tests that count failures are repeatable.
 */
export class Faults {
  private settings: z.output<typeof faultsSchema> = {};
  private readonly owed = new Map<string, number>();

  /** Replaces the settings; throws a zod error naming the field when they are invalid. */
  set(settings: unknown): void {
    this.settings = faultsSchema.parse(settings);
    this.owed.clear();
  }

  /** Removes every fault. */
  clear(): void {
    this.settings = {};
    this.owed.clear();
  }

  /** The settings in force. */
  get(): z.output<typeof faultsSchema> {
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
