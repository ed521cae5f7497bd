import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { ConsoleLine, FunctionErrorBody } from './logWriter.js';

/** The runtime bootstrap each instance runs. */
export const BOOTSTRAP = fileURLToPath(new URL('./runtime/bootstrap.mjs', import.meta.url));

/** How one invocation on an instance ended. */
export type Outcome =
  | { kind: 'result'; payload: string }
  | { kind: 'error'; error: FunctionErrorBody }
  | { kind: 'timeout' }
  /** The process died (exit, crash, out of memory) or its init failed. */
  | { kind: 'exit'; error: FunctionErrorBody };

/** What starts an instance. */
export interface InstanceOptions {
  taskRoot: string;
  env: Record<string, string>;
  memorySizeMB: number;
  onConsole: (line: ConsoleLine) => void;
  onRaw: (text: string) => void;
}

type Message =
  | { type: 'ready'; memory: number }
  | {
      type: 'log';
      level: ConsoleLine['level'];
      requestId?: string;
      time: number;
      text: string;
      error?: FunctionErrorBody;
    }
  | { type: 'result'; requestId: string; payload: string; memory: number }
  | {
      type: 'error' | 'crash' | 'init-error';
      requestId?: string;
      error: FunctionErrorBody;
      memory: number;
    };

/**
 * One warm Lambda instance: a `node` child process running the bootstrap, with the function's
 * environment and its memory size as the heap limit. It serves one invocation at a time.
 */
export class Instance {
  private readonly child: ChildProcess;
  private settle?: (outcome: Outcome) => void;
  private initError?: FunctionErrorBody;
  private exitError?: FunctionErrorBody;
  /** Resolves once the handler is loaded (or the init failed: see {@link initFailure}). */
  readonly ready: Promise<void>;
  /** Real milliseconds the process took to start and load the handler. */
  initDurationMs = 0;
  maxMemoryBytes = 0;
  alive = true;
  lastUsed = Date.now();

  constructor(readonly options: InstanceOptions) {
    const started = performance.now();
    this.child = fork(BOOTSTRAP, [], {
      cwd: options.taskRoot,
      env: options.env,
      execArgv: [`--max-old-space-size=${options.memorySizeMB}`],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => options.onRaw(line));
    }
    this.ready = new Promise<void>((resolve) => {
      this.child.on('message', (message: Message) => {
        if (message.type === 'ready' || message.type === 'init-error') {
          this.initDurationMs = performance.now() - started;
          if (message.type === 'init-error') this.initError = message.error;
          resolve();
        }
        this.receive(message);
      });
      this.child.once('exit', (code, signal) => {
        this.alive = false;
        const status = signal ? `signal: ${signalName(signal)}` : `exit status ${code ?? 0}`;
        this.exitError ??= {
          errorType: 'Runtime.ExitError',
          errorMessage: `Runtime exited with error: ${status}`,
        };
        this.finish({ kind: 'exit', error: this.initError ?? this.exitError });
        resolve();
      });
      this.child.once('error', () => undefined);
    });
  }

  /** Why the handler could not be loaded, if it could not. */
  get initFailure(): FunctionErrorBody | undefined {
    return this.initError ?? (this.alive ? undefined : this.exitError);
  }

  private receive(message: Message): void {
    if ('memory' in message) this.maxMemoryBytes = Math.max(this.maxMemoryBytes, message.memory);
    switch (message.type) {
      case 'log':
        this.options.onConsole(message);
        return;
      case 'result':
        this.finish({ kind: 'result', payload: message.payload });
        return;
      case 'error':
        this.finish({ kind: 'error', error: message.error });
        return;
      case 'crash':
        // The process exits next: no invocation may be handed to it meanwhile.
        this.alive = false;
        this.exitError = message.error;
        this.finish({ kind: 'error', error: message.error });
        return;
    }
  }

  private finish(outcome: Outcome): void {
    const settle = this.settle;
    this.settle = undefined;
    settle?.(outcome);
  }

  /** Runs one invocation; a timeout kills the process. */
  invoke(
    requestId: string,
    payload: string,
    timeoutMs: number,
    context: Record<string, unknown>,
  ): Promise<Outcome> {
    this.lastUsed = Date.now();
    if (!this.alive) {
      return Promise.resolve({ kind: 'exit', error: this.initFailure ?? this.exitError! });
    }
    return new Promise<Outcome>((resolve) => {
      const timer = setTimeout(() => {
        this.finish({ kind: 'timeout' });
        this.kill();
      }, timeoutMs);
      this.settle = (outcome) => {
        clearTimeout(timer);
        this.lastUsed = Date.now();
        resolve(outcome);
      };
      this.child.send({
        type: 'invoke',
        requestId,
        payload,
        deadline: Date.now() + timeoutMs,
        context,
      });
    });
  }

  /** Stops the process at once. */
  kill(): void {
    this.alive = false;
    this.child.kill('SIGKILL');
  }
}

function signalName(signal: NodeJS.Signals): string {
  const names: Partial<Record<NodeJS.Signals, string>> = {
    SIGKILL: 'killed',
    SIGABRT: 'aborted',
    SIGSEGV: 'segmentation fault',
    SIGTERM: 'terminated',
  };
  return names[signal] ?? signal;
}
