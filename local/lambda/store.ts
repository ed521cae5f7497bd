import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';
import { unzipSync } from 'fflate';
import { arn } from '../account.js';
import { AwsError } from '../http.js';
import { JsonFile } from '../state.js';
import { invalidParameter } from './config.js';
import type { FunctionSettings } from './config.js';

/** A resource-based policy statement (AddPermission). */
export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Principal: Record<string, string>;
  Action: string;
  Resource: string;
  Condition?: Record<string, Record<string, string>>;
}

/** A function's event invoke config (retries, event age, destinations). */
export interface EventInvokeConfig {
  maximumRetryAttempts?: number;
  maximumEventAgeInSeconds?: number;
  onSuccess?: string;
  onFailure?: string;
  lastModified: number;
}

/** One function, as stored. */
export interface FunctionRecord extends FunctionSettings {
  name: string;
  region: string;
  arn: string;
  /** Base64 SHA-256 of the zip, as Lambda reports it. */
  codeSha256: string;
  codeSize: number;
  lastModified: string;
  revisionId: string;
  tags: Record<string, string>;
  policy: PolicyStatement[];
  eventInvokeConfig?: EventInvokeConfig;
}

/** Lambda's timestamp format: `2019-09-24T18:20:35.054+0000`. */
export function lambdaTime(date: Date): string {
  return date.toISOString().replace('Z', '+0000');
}

/** A function's ARN. */
export function functionArn(region: string, name: string): string {
  return arn('lambda', region, `function:${name}`);
}

/** The most a zip may unpack to, as Lambda's 250 MB limit. */
const MAX_UNZIPPED_BYTES = 250 * 1024 * 1024;

/**
 * Functions and their code: records in one JSON file, each zip stored once by its hash and
 * unpacked next to it the first time an instance needs it.
 */
export class FunctionStore {
  private readonly functions = new Map<string, FunctionRecord>();
  private readonly file: JsonFile<FunctionRecord[]>;
  private readonly codeDir: string;
  private readonly unpacking = new Map<string, Promise<string>>();

  constructor(stateDir: string) {
    this.file = new JsonFile(join(stateDir, 'lambda', 'functions.json'), () => []);
    this.codeDir = join(stateDir, 'lambda', 'code');
  }

  /** Loads the functions saved by the previous run. */
  async start(): Promise<void> {
    for (const record of await this.file.read()) {
      this.functions.set(key(record.region, record.name), record);
    }
  }

  /** Saves every function. */
  save(): Promise<void> {
    return this.file.write([...this.functions.values()]);
  }

  /** A function, or undefined. */
  find(region: string, name: string): FunctionRecord | undefined {
    return this.functions.get(key(region, name));
  }

  /** A function, or ResourceNotFoundException worded as Lambda's. */
  get(region: string, name: string): FunctionRecord {
    const record = this.find(region, name);
    if (!record) {
      throw new AwsError(
        'ResourceNotFoundException',
        `Function not found: ${functionArn(region, name)}`,
        404,
      );
    }
    return record;
  }

  /** Every function of a region, by name. */
  list(region: string): FunctionRecord[] {
    return [...this.functions.values()]
      .filter((record) => record.region === region)
      .sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** Adds a new function; ResourceConflictException if the name is taken. */
  async add(record: FunctionRecord): Promise<void> {
    if (this.functions.has(key(record.region, record.name))) {
      throw new AwsError(
        'ResourceConflictException',
        `Function already exist: ${record.name}`,
        409,
      );
    }
    this.functions.set(key(record.region, record.name), record);
    await this.save();
  }

  /** Replaces a function's record with a new revision. */
  async update(record: FunctionRecord): Promise<FunctionRecord> {
    const updated = { ...record, revisionId: randomUUID(), lastModified: lambdaTime(new Date()) };
    this.functions.set(key(record.region, record.name), updated);
    await this.save();
    return updated;
  }

  /** Changes a record in place (policy, tags, invoke config) and saves. */
  async change(record: FunctionRecord, edit: (record: FunctionRecord) => void): Promise<void> {
    edit(record);
    await this.save();
  }

  /** Removes a function (its code stays, shared by hash with any other function). */
  async remove(region: string, name: string): Promise<void> {
    this.functions.delete(key(region, name));
    await this.save();
  }

  /** Stores a zip by hash after checking it unzips; returns what the record keeps. */
  async putCode(zip: Buffer): Promise<{ codeSha256: string; codeSize: number }> {
    try {
      unpackedSize(zip);
    } catch (error: unknown) {
      if (error instanceof AwsError) throw error;
      throw invalidParameter(
        'Could not unzip uploaded file. Please check your file, then try to upload again.',
      );
    }
    const digest = createHash('sha256').update(zip);
    const hex = digest.copy().digest('hex');
    const path = join(this.codeDir, `${hex}.zip`);
    if (!(await stat(path).catch(() => undefined))) {
      await mkdir(this.codeDir, { recursive: true });
      await writeFile(`${path}.tmp`, zip);
      await rename(`${path}.tmp`, path);
    }
    return { codeSha256: digest.digest('base64'), codeSize: zip.length };
  }

  /** The folder a function's code is unpacked in (unpacked on first use). */
  taskRoot(codeSha256: string): Promise<string> {
    const hex = Buffer.from(codeSha256, 'base64').toString('hex');
    let unpacked = this.unpacking.get(hex);
    if (!unpacked) {
      unpacked = this.unpack(hex);
      this.unpacking.set(hex, unpacked);
      unpacked.catch(() => this.unpacking.delete(hex));
    }
    return unpacked;
  }

  private async unpack(hex: string): Promise<string> {
    const folder = join(this.codeDir, hex);
    if (await stat(join(folder, '.complete')).catch(() => undefined)) return folder;
    await rm(folder, { recursive: true, force: true });
    const files = unzipSync(await readFile(join(this.codeDir, `${hex}.zip`)));
    for (const [name, content] of Object.entries(files)) {
      if (name.endsWith('/')) continue;
      const target = normalize(join(folder, name));
      // Entries such as ../x must not write outside the folder (a "zip slip").
      if (!target.startsWith(`${folder}${sep}`)) continue;
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, content);
    }
    await writeFile(join(folder, '.complete'), '');
    return folder;
  }
}

function unpackedSize(zip: Buffer): number {
  let total = 0;
  unzipSync(zip, {
    filter: (file) => {
      total += file.originalSize;
      return false;
    },
  });
  if (total > MAX_UNZIPPED_BYTES) {
    throw invalidParameter(
      `Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes, not ${total}`,
    );
  }
  return total;
}

function key(region: string, name: string): string {
  return `${region}/${name}`;
}
