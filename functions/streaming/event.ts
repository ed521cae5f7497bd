// The namespace import lets esbuild drop what is unused (85 KB instead of 450 KB of zod).
import * as z from 'zod';
import { parseOrThrow } from '../shared/parse.js';

/** Longest event id accepted; the schedule's execution ids are far shorter. */
export const MAX_EVENT_ID_LENGTH = 256;

// Loose: EventBridge envelopes carry more fields (time, source, detail...) that the tick ignores.
const tickEventSchema = z.looseObject(
  {
    id: z
      .string({
        error: 'must be a string (the EventBridge event id), or left out for a fresh tick',
      })
      .min(1, { error: 'must not be empty; leave it out for a fresh tick' })
      .max(MAX_EVENT_ID_LENGTH, { error: `must be at most ${MAX_EVENT_ID_LENGTH} characters` })
      .optional(),
    drill: z.boolean({ error: 'must be true or false' }).optional(),
  },
  { error: 'must be a JSON object, such as {"id": "<event id>"} or {"drill": true}' },
);

/** What the streaming function takes from its event: the id that makes it idempotent, and the drill switch. */
export interface TickEvent {
  /** The EventBridge envelope's `id`; absent for a manual test invoke, which is a fresh tick. */
  id?: string;
  /** `true` makes the invocation fail on purpose with a `DrillError`. */
  drill: boolean;
}

/** Parses the invocation event; an empty invoke (`null`) is a fresh tick. */
export function parseTickEvent(event: unknown): TickEvent {
  if (event === null || event === undefined) return { drill: false };
  const parsed = parseOrThrow(tickEventSchema, event, 'event');
  return { ...(parsed.id === undefined ? {} : { id: parsed.id }), drill: parsed.drill === true };
}
