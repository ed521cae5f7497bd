// The runtime inside one local Lambda instance (a child process of local AWS): loads the handler
// named by _HANDLER from LAMBDA_TASK_ROOT, then serves invocations sent over the IPC channel.
// Plain JavaScript on purpose: it starts with `node` alone, no TypeScript loader, so a cold start
// costs one Node start-up and the handler's own imports.
/* global process, console, setImmediate */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';

const send = (message) => {
  if (process.connected) process.send(message);
};

/** The request being served, for console lines. */
let current;

/** An error as Lambda reports it: errorType, errorMessage, trace. */
function describe(error) {
  if (error instanceof Error) {
    return {
      errorType: error.name || 'Error',
      errorMessage: error.message,
      trace: String(error.stack ?? '').split('\n'),
    };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

const LEVELS = {
  log: 'INFO',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  debug: 'DEBUG',
  trace: 'TRACE',
};
for (const [method, level] of Object.entries(LEVELS)) {
  console[method] = (...args) => {
    const line = {
      type: 'log',
      level,
      requestId: current,
      time: Date.now(),
      text: format(...args),
    };
    const [only] = args;
    if (args.length === 1 && only instanceof Error) line.error = describe(only);
    send(line);
  };
}

function fail(kind, error) {
  send({ type: kind, requestId: current, error: describe(error), memory: memory() });
}

function memory() {
  return process.memoryUsage.rss();
}

process.on('uncaughtException', (error) => {
  fail('crash', error);
  process.exitCode = 129;
  setImmediate(() => process.exit(129));
});
process.on('unhandledRejection', (reason) => {
  const error = describe(reason);
  send({
    type: 'crash',
    requestId: current,
    error: { ...error, errorType: 'Runtime.UnhandledPromiseRejection' },
    memory: memory(),
  });
  setImmediate(() => process.exit(128));
});
process.on('disconnect', () => process.exit(0));

// The AWS SDK warns once, on stderr, that it will soon need Node 22. Lambda's nodejs22.x never
// shows it; a local instance runs on the host's Node (20), so without this every function log
// would open with a warning that is not the function's. `--disable-warning` cannot drop it: the
// SDK emits it as a plain `Warning` whose message names it. Every other warning still goes out.
const emitWarning = process.emitWarning;
process.emitWarning = function (warning, ...rest) {
  const text = typeof warning === 'string' ? warning : warning?.message;
  if (typeof text === 'string' && text.startsWith('NodeVersionSupportWarning:')) return;
  return emitWarning.call(process, warning, ...rest);
};

async function loadHandler() {
  const spec = process.env._HANDLER ?? '';
  const dot = spec.lastIndexOf('.');
  const modulePath = spec.slice(0, dot);
  const exportName = spec.slice(dot + 1);
  const root = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
  const file = ['.js', '.mjs', '.cjs']
    .map((extension) => join(root, `${modulePath}${extension}`))
    .find((candidate) => existsSync(candidate));
  if (dot <= 0 || !file) {
    const error = new Error(`Cannot find module '${modulePath || spec}'`);
    error.name = 'Runtime.ImportModuleError';
    error.message = `Error: Cannot find module '${modulePath || spec}'`;
    throw error;
  }
  const loaded = await import(pathToFileURL(file).href);
  const handler = loaded[exportName] ?? loaded.default?.[exportName];
  if (typeof handler !== 'function') {
    const error = new Error(`${spec} is undefined or not exported`);
    error.name = 'Runtime.HandlerNotFound';
    throw error;
  }
  return handler;
}

function call(handler, event, context) {
  if (handler.length < 3) return Promise.resolve(handler(event, context));
  return new Promise((resolve, reject) => {
    const callback = (error, result) => (error ? reject(error) : resolve(result));
    const returned = handler(event, context, callback);
    if (returned && typeof returned.then === 'function') returned.then(resolve, reject);
  });
}

let handler;
try {
  handler = await loadHandler();
  send({ type: 'ready', memory: memory() });
} catch (error) {
  fail('init-error', error);
  setImmediate(() => process.exit(1));
}

process.on('message', async (message) => {
  if (message?.type !== 'invoke' || !handler) return;
  current = message.requestId;
  const { deadline } = message;
  const context = {
    ...message.context,
    awsRequestId: message.requestId,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    succeed: () => undefined,
    fail: () => undefined,
  };
  try {
    const event = JSON.parse(message.payload);
    const result = await call(handler, event, context);
    const payload = JSON.stringify(result === undefined ? null : result);
    send({ type: 'result', requestId: message.requestId, payload, memory: memory() });
  } catch (error) {
    send({ type: 'error', requestId: message.requestId, error: describe(error), memory: memory() });
  }
});
