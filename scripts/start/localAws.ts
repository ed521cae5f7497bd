import { z } from 'zod';
import { startLocalAws } from '../../local/index.js';
import type { LocalAws } from '../../local/index.js';

/** Local AWS is running at another time scale than the one asked for, or cannot be reached. */
export class LocalAwsMismatchError extends Error {
  override name = 'LocalAwsMismatchError';
}

/** The local AWS `npm start` talks to: one it started (and stops), or one already running. */
export interface StartedLocalAws {
  endpoint: string;
  /** Whether this command started it, so must stop it. */
  owned: boolean;
  /** Flushes Firehose and stops it when this command started it; otherwise nothing. */
  stop(): Promise<void>;
}

const healthSchema = z.looseObject({ status: z.literal('running'), timeScale: z.number() });

/** What `GET /_local/health` says, or undefined when nothing listens on the port. */
async function health(endpoint: string): Promise<z.infer<typeof healthSchema> | undefined> {
  let response: Response;
  try {
    response = await fetch(`${endpoint}/_local/health`, { signal: AbortSignal.timeout(2000) });
  } catch {
    return undefined; // Nothing answers: the port is free for a local AWS of our own.
  }
  const parsed = healthSchema.safeParse(await response.json().catch(() => undefined));
  if (!parsed.success)
    throw new LocalAwsMismatchError(
      `something other than local AWS answers on ${endpoint}; stop it or choose another --port`,
    );
  return parsed.data;
}

/**
 * Reuses the local AWS already listening on `port` when its time scale is `timeScale`, or starts
 * one in this process (its Lambda instances are child processes of this one).
 */
export async function connectOrStartLocalAws(options: {
  port: number;
  stateDir: string;
  timeScale: number;
  /** What `--every` gives this time scale, for the message when a running one differs. */
  every: number;
}): Promise<StartedLocalAws> {
  const endpoint = `http://127.0.0.1:${options.port}`;
  const running = await health(endpoint);
  if (running) {
    if (Math.abs(running.timeScale - options.timeScale) > 1e-9 * options.timeScale) {
      throw new LocalAwsMismatchError(
        `local AWS on ${endpoint} runs at time scale ${running.timeScale}, but --every ${options.every} ` +
          `needs ${options.timeScale}; stop it (Ctrl-C in its terminal) so npm start runs its own, ` +
          `or restart it with --time-scale ${options.timeScale}`,
      );
    }
    return { endpoint, owned: false, stop: async () => undefined };
  }
  const local: LocalAws = await startLocalAws({
    port: options.port,
    stateDir: options.stateDir,
    timeScale: options.timeScale,
  });
  return { endpoint: local.endpoint, owned: true, stop: () => local.stop() };
}
