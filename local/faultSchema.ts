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

/** Fault settings with their defaults filled in. */
export type ActiveFaults = z.output<typeof faultsSchema>;

/** Thrown for fault settings of the wrong shape; the message names each wrong field. */
export class InvalidFaultsError extends Error {
  override name = 'InvalidFaultsError';
}

/**
 * Reads fault settings, naming each wrong field (`firehose.failRate: ...`). In a module of its own,
 * imported only when faults are set, so that zod is not loaded at every start.
 */
export function parseFaultSettings(settings: unknown): ActiveFaults {
  const parsed = faultsSchema.safeParse(settings);
  if (parsed.success) return parsed.data;
  throw new InvalidFaultsError(
    parsed.error.issues
      .map(
        (issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(body)'}: ${issue.message}`,
      )
      .join('; '),
  );
}
