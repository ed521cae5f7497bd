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

/** Every action dynalite serves, named as its files are. */
const ACTIONS = [
  'batchGetItem',
  'batchWriteItem',
  'createTable',
  'deleteItem',
  'deleteTable',
  'describeTable',
  'describeTimeToLive',
  'getItem',
  'listTables',
  'listTagsOfResource',
  'putItem',
  'query',
  'scan',
  'tagResource',
  'untagResource',
  'updateItem',
  'updateTable',
] as const;

type ActionCallback = (error: DynaliteError | null | undefined, result?: unknown) => void;
type Action = (store: unknown, data: unknown, callback: ActionCallback) => void;

/**
 * Wraps a dynalite action so that a storage failure (an error without dynalite's `statusCode`)
 * reaches its request handler as a DynamoDB 500, which it answers, instead of as an error it
 * rethrows from a LevelDB callback, where nothing can catch it and the process dies.
 */
export function answeringStorageFailures(action: Action): Action {
  return (store, data, callback) =>
    action(store, data, (error, result) =>
      callback(
        error && !error.statusCode
          ? {
              statusCode: 500,
              body: {
                __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
                message: `local AWS DynamoDB storage failed: ${String((error as Error).message ?? error)}`,
              },
            }
          : error,
        result,
      ),
    );
}

/**
 * dynalite takes each action from `require('./actions/<name>')` when it loads, so the wrapped
 * actions are put in the module cache first, where its `require` finds them.
 */
function wrapActions(): void {
  for (const name of ACTIONS) {
    const id = require.resolve(`dynalite/actions/${name}`);
    const action = require(id) as Action;
    require.cache[id]!.exports = answeringStorageFailures(action);
  }
}

/** Marks dynalite's modules as changed, for a process (a test runner) that loads this file twice. */
const CHANGED = Symbol.for('local-aws.dynalite-changed');

function changeDynaliteOnce(): void {
  const db = require('dynalite/db') as Record<symbol, boolean>;
  if (db[CHANGED]) return;
  if (require.cache[require.resolve('dynalite')]) {
    throw new Error('dynalite was loaded before local AWS could guard its actions');
  }
  wrapActions();
  supportReturnValuesOnConditionCheckFailure();
  db[CHANGED] = true;
}

changeDynaliteOnce();
const dynalite = require('dynalite') as (options: DynaliteOptions) => Server;
const dynaliteDb = require('dynalite/db') as { create: (options: DynaliteOptions) => Store };

interface Store {
  db: { open(): Promise<void> };
}

/** A dynalite server (not yet listening), and when its store has opened. */
export interface Dynalite {
  server: Server;
  /** Rejects when the store cannot open. */
  opened: Promise<void>;
}

/**
 * Creates a dynalite server with the additions above. Wait for `opened` before serving: a store
 * that cannot open (a locked or damaged folder) is then an error the caller can answer, rather
 * than one dynalite's iterators throw out of reach in the first request.
 */
export function createDynalite(options: DynaliteOptions): Dynalite {
  const create = dynaliteDb.create;
  let store: Store | undefined;
  // dynalite creates its store synchronously, through the module object: catch hold of it.
  dynaliteDb.create = (storeOptions) => (store = create(storeOptions));
  let server: Server;
  try {
    server = dynalite(options);
  } finally {
    dynaliteDb.create = create;
  }
  return { server, opened: store!.db.open() };
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
