import { AwsError } from '../http.js';

/** A function's settings, as validated from CreateFunction / UpdateFunctionConfiguration input. */
export interface FunctionSettings {
  runtime: string;
  handler: string;
  role: string;
  description: string;
  timeout: number;
  memorySize: number;
  environment: Record<string, string>;
  architectures: string[];
  logging: LoggingSettings;
}

/** Where and how a function's logs go. */
export interface LoggingSettings {
  format: 'Text' | 'JSON';
  /** Set only for JSON. */
  applicationLogLevel?: LogLevel;
  /** Set only for JSON. */
  systemLogLevel?: LogLevel;
  /** The log group given, or undefined for `/aws/lambda/<name>`. */
  logGroup?: string;
}

/** Log levels, most detailed first. */
export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;
/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Runtimes AWS Lambda knows; only `nodejs*` ones run locally. */
export const KNOWN_RUNTIMES = [
  'nodejs18.x',
  'nodejs20.x',
  'nodejs22.x',
  'nodejs24.x',
  'python3.9',
  'python3.10',
  'python3.11',
  'python3.12',
  'python3.13',
  'java11',
  'java17',
  'java21',
  'dotnet8',
  'ruby3.2',
  'ruby3.3',
  'ruby3.4',
  'provided.al2',
  'provided.al2023',
] as const;

/** Environment variables Lambda sets itself and refuses to let a function set. */
const RESERVED_VARIABLES = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
]);

/** A function name as CreateFunction takes it. */
export const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const ROLE = /^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;

type Json = Record<string, unknown>;

/** A ValidationException worded as AWS words them. */
export function validation(value: unknown, field: string, constraint: string): AwsError {
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  return new AwsError(
    'ValidationException',
    `1 validation error detected: Value '${shown}' at '${field}' failed to satisfy constraint: ${constraint}`,
  );
}

/** An InvalidParameterValueException. */
export function invalidParameter(message: string): AwsError {
  return new AwsError('InvalidParameterValueException', message);
}

function range(value: unknown, field: string, low: number, high: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw validation(value, field, `Member must be a whole number from ${low} to ${high}`);
  }
  if (value < low)
    throw validation(value, field, `Member must have value greater than or equal to ${low}`);
  if (value > high)
    throw validation(value, field, `Member must have value less than or equal to ${high}`);
  return value;
}

function level(value: unknown, field: string): LogLevel | undefined {
  if (value === undefined) return undefined;
  if (!LOG_LEVELS.includes(value as LogLevel)) {
    throw validation(
      value,
      field,
      `Member must satisfy enum value set: [${LOG_LEVELS.join(', ')}]`,
    );
  }
  return value as LogLevel;
}

function logging(input: Json | undefined, previous?: LoggingSettings): LoggingSettings {
  const merged = { ...previous, ...readLogging(input) };
  const format = merged.format ?? 'Text';
  if (format === 'Text' && (merged.applicationLogLevel || merged.systemLogLevel)) {
    if (input?.ApplicationLogLevel !== undefined || input?.SystemLogLevel !== undefined) {
      throw invalidParameter(
        'LoggingConfig: ApplicationLogLevel and SystemLogLevel can be set only when LogFormat is JSON',
      );
    }
    delete merged.applicationLogLevel;
    delete merged.systemLogLevel;
  }
  if (format === 'JSON') {
    merged.applicationLogLevel ??= 'INFO';
    merged.systemLogLevel ??= 'INFO';
  }
  return { ...merged, format };
}

function readLogging(input: Json | undefined): Partial<LoggingSettings> {
  if (!input) return {};
  const result: Partial<LoggingSettings> = {};
  if (input.LogFormat !== undefined) {
    if (input.LogFormat !== 'Text' && input.LogFormat !== 'JSON') {
      throw validation(
        input.LogFormat,
        'loggingConfig.logFormat',
        'Member must satisfy enum value set: [JSON, Text]',
      );
    }
    result.format = input.LogFormat;
  }
  const application = level(input.ApplicationLogLevel, 'loggingConfig.applicationLogLevel');
  if (application) result.applicationLogLevel = application;
  const system = level(input.SystemLogLevel, 'loggingConfig.systemLogLevel');
  if (system) {
    if (!['DEBUG', 'INFO', 'WARN'].includes(system)) {
      throw validation(
        system,
        'loggingConfig.systemLogLevel',
        'Member must satisfy enum value set: [DEBUG, INFO, WARN]',
      );
    }
    result.systemLogLevel = system;
  }
  if (input.LogGroup !== undefined) {
    if (typeof input.LogGroup !== 'string' || !/^[.\-_/#A-Za-z0-9]{1,512}$/.test(input.LogGroup)) {
      throw validation(
        input.LogGroup,
        'loggingConfig.logGroup',
        'Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+',
      );
    }
    result.logGroup = input.LogGroup;
  }
  return result;
}

function environment(input: unknown): Record<string, string> {
  const variables = ((input ?? {}) as Json).Variables ?? {};
  if (typeof variables !== 'object' || variables === null || Array.isArray(variables)) {
    throw invalidParameter('Environment.Variables must be a map of names to string values');
  }
  const result: Record<string, string> = {};
  const reserved: string[] = [];
  for (const [name, value] of Object.entries(variables)) {
    if (!/^[a-zA-Z]([a-zA-Z0-9_])+$/.test(name)) {
      throw validation(
        name,
        'environment.variables',
        'Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+',
      );
    }
    if (RESERVED_VARIABLES.has(name)) reserved.push(name);
    result[name] = String(value);
  }
  if (reserved.length > 0) {
    throw invalidParameter(
      'Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. ' +
        `Reserved keys used in this request: ${reserved.join(', ')}`,
    );
  }
  if (Buffer.byteLength(JSON.stringify(result)) > 4096) {
    throw invalidParameter(
      'Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ' +
        JSON.stringify(result).slice(0, 100),
    );
  }
  return result;
}

function runtime(value: unknown): string {
  if (!KNOWN_RUNTIMES.includes(value as (typeof KNOWN_RUNTIMES)[number])) {
    throw validation(
      value,
      'runtime',
      `Member must satisfy enum value set: [${KNOWN_RUNTIMES.join(', ')}]`,
    );
  }
  const name = value as string;
  if (!name.startsWith('nodejs')) {
    throw invalidParameter(
      `The runtime parameter of ${name} is not supported by local AWS: it runs nodejs* runtimes only, on this machine's Node.js ${process.version}`,
    );
  }
  return name;
}

/**
 * Reads a function's settings from CreateFunction input (no `previous`) or merges an
 * UpdateFunctionConfiguration into the current ones, with AWS's defaults and limits.
 */
export function readSettings(input: Json, previous?: FunctionSettings): FunctionSettings {
  const has = (field: string) => input[field] !== undefined;
  // Layers change the code a function loads: refuse them rather than run without them.
  if (Array.isArray(input.Layers) && input.Layers.length > 0) {
    throw invalidParameter('local AWS does not support layers: bundle their code into the zip');
  }
  const role = has('Role') ? input.Role : previous?.role;
  if (typeof role !== 'string' || !ROLE.test(role)) {
    throw validation(
      role ?? null,
      'role',
      'Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+',
    );
  }
  const handler = has('Handler') ? input.Handler : previous?.handler;
  if (typeof handler !== 'string' || !/^[^\s]{1,128}$/.test(handler)) {
    throw invalidParameter(
      `Handler must be given for a Zip function, as <file>.<export> such as index.handler, not ${JSON.stringify(handler ?? null)}`,
    );
  }
  const architectures = has('Architectures') ? input.Architectures : previous?.architectures;
  const arch = (architectures as string[] | undefined) ?? ['x86_64'];
  if (!Array.isArray(arch) || arch.length !== 1 || !['x86_64', 'arm64'].includes(arch[0]!)) {
    throw validation(
      arch,
      'architectures',
      'Member must have length 1 and satisfy enum value set: [x86_64, arm64]',
    );
  }
  return {
    runtime: has('Runtime') || !previous ? runtime(input.Runtime) : previous.runtime,
    handler,
    role,
    description: has('Description') ? String(input.Description) : (previous?.description ?? ''),
    timeout: has('Timeout') ? range(input.Timeout, 'timeout', 1, 900) : (previous?.timeout ?? 3),
    memorySize: has('MemorySize')
      ? range(input.MemorySize, 'memorySize', 128, 10_240)
      : (previous?.memorySize ?? 128),
    environment: has('Environment')
      ? environment(input.Environment)
      : (previous?.environment ?? {}),
    architectures: arch,
    logging: logging(input.LoggingConfig as Json | undefined, previous?.logging),
  };
}
