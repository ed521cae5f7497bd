import { messageOf } from '../../lib/errors.js';
import type { Reporter } from '../../lib/steps/report.js';

/** One step of `npm start`: what it does, in the words the progress line uses. */
export interface StartStep {
  title: string;
  run(reporter: Reporter): Promise<void>;
}

/** A step failed; the message names the step and the reason. */
export class StartStepError extends Error {
  override name = 'StartStepError';
  constructor(
    readonly step: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`step "${step}" failed: ${reason}`, options);
  }
}

/** Where progress is written, and the time, passed in so that tests and benchmarks can read it. */
export interface ProgressOptions {
  print(line: string): void;
  now(): number;
  /** Also print each step's own progress lines (the reporter's `info`), indented. */
  verbose: boolean;
  /** The first step's number and the count of all, when these steps are part of a longer run. */
  numbering?: { from: number; of: number };
  /** Aborted by Ctrl-C: no further step starts. */
  signal?: AbortSignal;
}

/**
 * Runs the steps in order, one progress line each with its duration; a step's warnings are always
 * shown. The first failure stops the run with a {@link StartStepError}.
 */
export async function runSteps(
  steps: readonly StartStep[],
  options: ProgressOptions,
): Promise<void> {
  for (const [index, step] of steps.entries()) {
    if (options.signal?.aborted) return;
    const started = options.now();
    const { from, of } = options.numbering ?? { from: 1, of: steps.length };
    const label = `[${from + index}/${of}] ${step.title}`;
    options.print(`${label} ...`);
    const reporter: Reporter = {
      info: (message) => {
        if (options.verbose) options.print(`      ${message}`);
      },
      warning: (message) => options.print(`      warning: ${message}`),
      summary: () => undefined, // Markdown is for a job summary; the terminal has the lines.
    };
    try {
      await step.run(reporter);
    } catch (error: unknown) {
      throw new StartStepError(step.title, messageOf(error), { cause: error });
    }
    options.print(`${label}: done in ${((options.now() - started) / 1000).toFixed(1)} s`);
  }
}
