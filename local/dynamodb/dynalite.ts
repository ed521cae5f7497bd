import { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders, Server } from 'node:http';
import { createRequire } from 'node:module';

/** dynalite's own options (it has no types of its own). */
export interface DynaliteOptions {
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
  maxItemSizeKb?: number;
}

/** Largest request dynalite reads (its `MAX_REQUEST_BYTES`); larger ones it answers 413. */
export const DYNALITE_MAX_BODY_BYTES = 16 * 1024 * 1024;

interface StoredItem {
  [attribute: string]: unknown;
}
interface ConditionalData {
  ReturnValuesOnConditionCheckFailure?: string;
}
interface DynaliteError {
  statusCode?: number;
  body?: Record<string, unknown>;
}
type CheckConditional = (
  data: ConditionalData,
  existing: StoredItem | undefined,
) => DynaliteError | null | undefined;

const require = createRequire(import.meta.url);

/** The item writes that take a condition, and so `ReturnValuesOnConditionCheckFailure`. */
const CONDITIONAL_WRITES = ['putItem', 'updateItem', 'deleteItem'] as const;

/**
 * Teaches dynalite `ReturnValuesOnConditionCheckFailure: ALL_OLD`: its validation drops fields it
 * does not know, so the field is declared, and a failed condition carries the item it was checked
 * against (read under the item's lock, so it is the item that failed) in `Item`, as AWS answers.
 */
function supportReturnValuesOnConditionCheckFailure(): void {
  for (const action of CONDITIONAL_WRITES) {
    const validation = require(`dynalite/validations/${action}`) as {
      types: Record<string, unknown>;
    };
    validation.types.ReturnValuesOnConditionCheckFailure = {
      type: 'String',
      enum: ['ALL_OLD', 'NONE'],
    };
  }
  // The actions call `db.checkConditional` through the module object, so replacing it reaches them.
  const db = require('dynalite/db') as { checkConditional: CheckConditional };
  const checkConditional = db.checkConditional;
  db.checkConditional = (data, existing) => {
    const failed = checkConditional(data, existing);
    if (failed?.body && existing && data.ReturnValuesOnConditionCheckFailure === 'ALL_OLD') {
      failed.body.Item = existing;
    }
    return failed;
  };
}

supportReturnValuesOnConditionCheckFailure();
const dynalite = require('dynalite') as (options: DynaliteOptions) => Server;

/** Creates a dynalite server (not yet listening), with the additions above. */
export function createDynalite(options: DynaliteOptions): Server {
  return dynalite(options);
}

/** The parts of a request dynalite's handler reads. */
interface Replayable {
  method?: string;
  url?: string;
  headers: IncomingHttpHeaders;
}

/**
 * A request whose body has already been read, as dynalite's handler consumes it (`data`, `end`).
 * dynalite rethrows any error its request emits, which would crash the process when a client
 * disconnects mid-body; a replayed request never emits one, and whatever dynalite throws while
 * handling it is thrown here, to the caller, instead of from an event listener.
 */
export class ReplayedRequest extends EventEmitter {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;

  constructor(from: Replayable) {
    super();
    this.method = from.method ?? 'POST';
    this.url = from.url ?? '/';
    this.headers = from.headers;
  }

  /** Hands the request to a dynalite server and delivers the body to its listeners. */
  replay(server: Server, body: Buffer, response: unknown): void {
    server.emit('request', this, response);
    if (body.length > 0) this.emit('data', body);
    this.emit('end');
  }
}
