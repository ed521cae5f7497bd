import { messageOf } from '../../lib/errors.js';
import { LOCAL_ACCOUNT_ID } from '../account.js';
import type { LogStore } from '../logs/store.js';
import { LOG_LEVELS } from './config.js';
import type { LoggingSettings, LogLevel } from './config.js';

/** An error as Lambda reports it. */
export interface FunctionErrorBody {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

/** One console call from the function. */
export interface ConsoleLine {
  level: LogLevel;
  time: number;
  requestId?: string;
  text: string;
  error?: FunctionErrorBody;
}

/** What the REPORT line says about one invocation. */
export interface InvocationReport {
  requestId: string;
  durationMs: number;
  memorySizeMB: number;
  maxMemoryUsedMB: number;
  initDurationMs?: number;
  status: 'success' | 'error' | 'timeout';
  errorType?: string;
}

const allows = (threshold: LogLevel | undefined, level: LogLevel) =>
  threshold === undefined || LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(threshold);

/**
 * One instance's log stream, written as Lambda writes it: START/END/REPORT and tab-separated
 * console lines in Text format, or JSON application lines and `platform.*` events in JSON format,
 * filtered by the configured levels. Lines are buffered and written to CloudWatch Logs by
 * {@link flush}; the lines of the current invocation are kept for `X-Amz-Log-Type: Tail`.
 */
export class FunctionLogWriter {
  private pending: { timestamp: number; message: string }[] = [];
  private invocationLines: string[] = [];
  private writing: Promise<void> = Promise.resolve();
  private ready = false;

  constructor(
    private readonly store: LogStore,
    private readonly region: string,
    readonly group: string,
    readonly stream: string,
    private readonly settings: LoggingSettings,
    private readonly log: (line: string) => void,
    /** Why the execution role may not make a logs call (`logs:PutLogEvents`, ARN), if it may not. */
    private readonly refusal?: (action: string, resource: string) => Promise<string | undefined>,
  ) {}

  /** Lambda writes with the function's role: a call the role may not make is not made. */
  private async permitted(action: string, resource: string): Promise<boolean> {
    const refused = await this.refusal?.(action, resource);
    if (refused === undefined) return true;
    this.log(`lambda: logs of ${this.group} not written: ${refused}`);
    return false;
  }

  private get json(): boolean {
    return this.settings.format === 'JSON';
  }

  private add(message: string, timestamp = Date.now()): void {
    this.pending.push({ timestamp, message });
    this.invocationLines.push(message);
  }

  private platform(level: LogLevel, type: string, record: Record<string, unknown>): void {
    if (allows(this.settings.systemLogLevel, level)) {
      this.add(JSON.stringify({ time: new Date().toISOString(), type, record }));
    }
  }

  /** Starts the lines of a new invocation (what Tail returns). */
  start(requestId: string): void {
    this.invocationLines = [];
    if (this.json) this.platform('INFO', 'platform.start', { requestId, version: '$LATEST' });
    else this.add(`START RequestId: ${requestId} Version: $LATEST`);
  }

  /** A console call. */
  console(line: ConsoleLine): void {
    const requestId = line.requestId ?? 'undefined';
    const iso = new Date(line.time).toISOString();
    if (!this.json) {
      this.add(`${iso}\t${requestId}\t${line.level}\t${line.text}`, line.time);
      return;
    }
    if (!allows(this.settings.applicationLogLevel, line.level)) return;
    const error = line.error
      ? {
          errorType: line.error.errorType,
          errorMessage: line.error.errorMessage,
          stackTrace: line.error.trace ?? [],
        }
      : {};
    this.add(
      JSON.stringify({
        timestamp: iso,
        level: line.level,
        requestId: line.requestId,
        message: line.text,
        ...error,
      }),
      line.time,
    );
  }

  /** Raw output written to stdout or stderr, not through console. */
  raw(text: string): void {
    this.add(text);
  }

  /** The runtime's line for an error the handler threw (`Invoke Error`) or init threw. */
  functionError(requestId: string | undefined, error: FunctionErrorBody, phase: 'invoke' | 'init') {
    const label = phase === 'invoke' ? 'Invoke Error' : 'Uncaught Exception';
    const body = {
      errorType: error.errorType,
      errorMessage: error.errorMessage,
      stack: error.trace ?? [],
    };
    this.console({
      level: 'ERROR',
      time: Date.now(),
      requestId,
      text: `${label} \t${JSON.stringify(body)}`,
      error,
    });
  }

  /** The platform's line for a timeout or a runtime that exited. */
  platformError(requestId: string, text: string): void {
    if (this.json) {
      this.platform('WARN', 'platform.runtimeDone', { requestId, status: 'failure', error: text });
    } else {
      this.add(`${new Date().toISOString()} ${requestId} ${text}`);
    }
  }

  /** END and REPORT (Text) or `platform.report` (JSON). */
  end(report: InvocationReport): void {
    const billed = Math.max(1, Math.ceil(report.durationMs));
    if (this.json) {
      this.platform(report.status === 'success' ? 'INFO' : 'WARN', 'platform.report', {
        requestId: report.requestId,
        metrics: {
          durationMs: Number(report.durationMs.toFixed(3)),
          billedDurationMs: billed,
          memorySizeMB: report.memorySizeMB,
          maxMemoryUsedMB: report.maxMemoryUsedMB,
          ...(report.initDurationMs === undefined
            ? {}
            : { initDurationMs: Number(report.initDurationMs.toFixed(3)) }),
        },
        status: report.status,
        ...(report.errorType ? { errorType: report.errorType } : {}),
      });
      return;
    }
    this.add(`END RequestId: ${report.requestId}`);
    const fields = [
      `REPORT RequestId: ${report.requestId}`,
      `Duration: ${report.durationMs.toFixed(2)} ms`,
      `Billed Duration: ${billed} ms`,
      `Memory Size: ${report.memorySizeMB} MB`,
      `Max Memory Used: ${report.maxMemoryUsedMB} MB`,
      ...(report.initDurationMs === undefined
        ? []
        : [`Init Duration: ${report.initDurationMs.toFixed(2)} ms`]),
      ...(report.status === 'timeout' ? ['Status: timeout'] : []),
    ];
    this.add(`${fields.join('\t')}\t`);
  }

  /** The last 4 KB of this invocation's lines, as `X-Amz-Log-Result` carries them (base64). */
  tail(): string {
    const text = Buffer.from(`${this.invocationLines.join('\n')}\n`);
    return text.subarray(Math.max(0, text.length - 4096)).toString('base64');
  }

  /** Writes what is buffered to CloudWatch Logs, creating the group and stream when missing. */
  flush(): Promise<void> {
    const events = this.pending.splice(0);
    if (events.length === 0) return this.writing;
    this.writing = this.writing.then(async () => {
      try {
        const group = `arn:aws:logs:${this.region}:${LOCAL_ACCOUNT_ID}:log-group:${this.group}`;
        const stream = `${group}:log-stream:${this.stream}`;
        if (!this.ready) {
          // Lambda creates its log group when the role allows it.
          if (
            !this.store.hasGroup(this.region, this.group) &&
            (await this.permitted('logs:CreateLogGroup', group))
          ) {
            await this.store.createLogGroup(this.region, this.group).catch(() => undefined);
          }
          if (!this.store.hasStream(this.region, this.group, this.stream)) {
            if (!(await this.permitted('logs:CreateLogStream', stream))) return;
            await this.store.createLogStream(this.region, this.group, this.stream);
          }
          this.ready = true;
        }
        if (!(await this.permitted('logs:PutLogEvents', stream))) return;
        // Console lines carry their own time; the store wants each batch in time order.
        events.sort((a, b) => a.timestamp - b.timestamp);
        await this.store.putLogEvents(this.region, this.group, this.stream, events);
      } catch (error: unknown) {
        this.ready = false;
        this.log(`lambda: could not write logs to ${this.group}: ${messageOf(error)}`);
      }
    });
    return this.writing;
  }
}
