import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { arn } from '../account.js';
import { Clock } from '../clock.js';
import type { Faults } from '../faults.js';
import { AwsError, readBody, sendJson, sendJsonError } from '../http.js';
import { JsonFile } from '../state.js';
import type { S3Destination } from './delivery.js';
import { StreamBuffer } from './streams.js';
import type { ObjectWriter, StreamRecord } from './streams.js';

/** Firehose's documented limits. */
export const LIMITS = {
  recordsPerBatch: 500,
  recordBytes: 1_024_000,
  batchBytes: 4 * 1024 * 1024,
} as const;

const NAME_PATTERN = /^[a-zA-Z0-9_.-]{1,64}$/;

type Json = Record<string, unknown>;

function validation(value: unknown, field: string, constraint: string): AwsError {
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  return new AwsError(
    'ValidationException',
    `1 validation error detected: Value '${shown}' at '${field}' failed to satisfy constraint: ${constraint}`,
  );
}

function notFound(name: string): AwsError {
  return new AwsError(
    'ResourceNotFoundException',
    `Firehose ${name} under account 000000000000 not found.`,
  );
}

function streamName(input: Json): string {
  const name = input.DeliveryStreamName;
  if (typeof name !== 'string')
    throw validation(name, 'deliveryStreamName', 'Member must not be null');
  if (!NAME_PATTERN.test(name)) {
    throw validation(
      name,
      'deliveryStreamName',
      'Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+',
    );
  }
  return name;
}

function decodeRecord(record: unknown, field: string): Buffer {
  const data = (record as Json | undefined)?.Data;
  if (typeof data !== 'string') throw validation(data, field, 'Member must not be null');
  const bytes = Buffer.from(data, 'base64');
  if (bytes.length > LIMITS.recordBytes) {
    throw validation(
      `java.nio.HeapByteBuffer[pos=0 lim=${bytes.length} cap=${bytes.length}]`,
      field,
      `Member must have length less than or equal to ${LIMITS.recordBytes}`,
    );
  }
  return bytes;
}

/** Reads an S3 destination configuration the way Firehose does, with its defaults and ranges. */
function s3Destination(config: Json): {
  destination: S3Destination;
  roleArn: string;
  bucketArn: string;
} {
  const roleArn = config.RoleARN;
  const bucketArn = config.BucketARN;
  if (typeof roleArn !== 'string')
    throw validation(
      roleArn,
      'extendedS3DestinationConfiguration.roleARN',
      'Member must not be null',
    );
  if (typeof bucketArn !== 'string' || !bucketArn.startsWith('arn:aws:s3:::')) {
    throw validation(
      bucketArn,
      'extendedS3DestinationConfiguration.bucketARN',
      'Member must satisfy regular expression pattern: arn:.*:s3:::[\\w\\.\\-]{1,255}',
    );
  }
  const hints = (config.BufferingHints ?? {}) as Json;
  const interval = hints.IntervalInSeconds ?? 300;
  const size = hints.SizeInMBs ?? 5;
  if (
    typeof interval !== 'number' ||
    !Number.isInteger(interval) ||
    interval < 0 ||
    interval > 900
  ) {
    throw validation(
      interval,
      'extendedS3DestinationConfiguration.bufferingHints.intervalInSeconds',
      'Member must have value between 0 and 900',
    );
  }
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > 128) {
    throw validation(
      size,
      'extendedS3DestinationConfiguration.bufferingHints.sizeInMBs',
      'Member must have value between 1 and 128',
    );
  }
  const compression = config.CompressionFormat ?? 'UNCOMPRESSED';
  if (compression !== 'UNCOMPRESSED' && compression !== 'GZIP') {
    throw new AwsError(
      'InvalidArgumentException',
      `CompressionFormat ${String(compression)} is not supported by local AWS; use UNCOMPRESSED or GZIP`,
    );
  }
  for (const unsupported of [
    'DataFormatConversionConfiguration',
    'ProcessingConfiguration',
    'DynamicPartitioningConfiguration',
  ]) {
    const value = config[unsupported] as Json | undefined;
    if (value && value.Enabled !== false) {
      throw new AwsError(
        'InvalidArgumentException',
        `${unsupported} is not supported by local AWS`,
      );
    }
  }
  return {
    roleArn,
    bucketArn,
    destination: {
      bucket: bucketArn.slice('arn:aws:s3:::'.length),
      prefix: typeof config.Prefix === 'string' ? config.Prefix : '',
      errorOutputPrefix:
        typeof config.ErrorOutputPrefix === 'string' ? config.ErrorOutputPrefix : '',
      intervalSeconds: interval,
      sizeBytes: size * 1024 * 1024,
      compression,
    },
  };
}

/** Firehose (DirectPut to S3), built here because no maintained emulator exists. */
export class FirehoseService {
  private readonly streams = new Map<string, { record: StreamRecord; buffer: StreamBuffer }>();

  constructor(
    private readonly stateDir: string,
    private readonly s3: ObjectWriter,
    private readonly faults: Faults,
    private readonly log: (line: string) => void,
    private readonly clock: Clock = new Clock(),
  ) {}

  private folder(region: string): string {
    return join(this.stateDir, 'firehose', region);
  }

  private file(region: string): JsonFile<Record<string, StreamRecord>> {
    return new JsonFile(join(this.folder(region), 'streams.json'), () => ({}));
  }

  private key(region: string, name: string): string {
    return `${region}/${name}`;
  }

  /** Loads every region's streams and recovers their buffers. */
  async start(): Promise<void> {
    const regions = await readdir(join(this.stateDir, 'firehose')).catch(() => [] as string[]);
    for (const region of regions) {
      for (const record of Object.values(await this.file(region).read())) {
        const buffer = new StreamBuffer(record, this.folder(region), this.s3, this.log, this.clock);
        await buffer.recover();
        this.streams.set(this.key(region, record.name), { record, buffer });
      }
    }
  }

  private async save(region: string): Promise<void> {
    const document: Record<string, StreamRecord> = {};
    for (const { record } of this.streams.values())
      if (record.region === region) document[record.name] = record;
    await this.file(region).write(document);
  }

  private get(region: string, input: Json) {
    const name = streamName(input);
    const stream = this.streams.get(this.key(region, name));
    if (!stream) throw notFound(name);
    return stream;
  }

  /** Serves one Firehose request (AWS JSON 1.1). */
  async handle(request: IncomingMessage, response: ServerResponse, region: string): Promise<void> {
    const operation = String(request.headers['x-amz-target'] ?? '').replace(
      /^Firehose_20150804\./,
      '',
    );
    try {
      const text = (await readBody(request)).toString('utf8');
      let input: Json;
      try {
        input = (text ? JSON.parse(text) : {}) as Json;
      } catch {
        throw new AwsError('SerializationException', 'The request body is not valid JSON');
      }
      sendJson(response, 200, await this.dispatch(operation, input, region));
    } catch (error: unknown) {
      if (!(error instanceof AwsError)) throw error;
      sendJsonError(response, error);
    }
  }

  private dispatch(operation: string, input: Json, region: string): Promise<Json> | Json {
    switch (operation) {
      case 'CreateDeliveryStream':
        return this.create(input, region);
      case 'DescribeDeliveryStream':
        return this.describe(input, region);
      case 'ListDeliveryStreams':
        return this.list(input, region);
      case 'DeleteDeliveryStream':
        return this.delete(input, region);
      case 'UpdateDestination':
        return this.updateDestination(input, region);
      case 'PutRecord':
        return this.putRecord(input, region);
      case 'PutRecordBatch':
        return this.putRecordBatch(input, region);
      case 'TagDeliveryStream':
        return this.tag(input, region);
      case 'ListTagsForDeliveryStream':
        return { Tags: this.get(region, input).record.tags, HasMoreTags: false };
      default:
        throw new AwsError(
          'UnknownOperationException',
          `Firehose operation ${operation || '(none)'} is not supported by local AWS`,
        );
    }
  }

  private async create(input: Json, region: string): Promise<Json> {
    const name = streamName(input);
    if (this.streams.has(this.key(region, name))) {
      throw new AwsError(
        'ResourceInUseException',
        `Firehose ${name} under account 000000000000 already exists.`,
      );
    }
    const type = input.DeliveryStreamType ?? 'DirectPut';
    if (type !== 'DirectPut') {
      throw new AwsError(
        'InvalidArgumentException',
        `DeliveryStreamType ${String(type)} is not supported by local AWS; use DirectPut`,
      );
    }
    const config = (input.ExtendedS3DestinationConfiguration ??
      input.S3DestinationConfiguration) as Json | undefined;
    if (!config) {
      throw new AwsError(
        'InvalidArgumentException',
        'local AWS supports S3 destinations only: give ExtendedS3DestinationConfiguration',
      );
    }
    const { destination, roleArn, bucketArn } = s3Destination(config);
    const record: StreamRecord = {
      name,
      arn: arn('firehose', region, `deliverystream/${name}`),
      region,
      created: Date.now() / 1000,
      version: 1,
      roleArn,
      bucketArn,
      destination,
      tags: Array.isArray(input.Tags) ? (input.Tags as StreamRecord['tags']) : [],
      description: config,
    };
    const buffer = new StreamBuffer(record, this.folder(region), this.s3, this.log, this.clock);
    await buffer.recover();
    this.streams.set(this.key(region, name), { record, buffer });
    await this.save(region);
    return { DeliveryStreamARN: record.arn };
  }

  private describe(input: Json, region: string): Json {
    const { record } = this.get(region, input);
    const { destination } = record;
    return {
      DeliveryStreamDescription: {
        DeliveryStreamName: record.name,
        DeliveryStreamARN: record.arn,
        DeliveryStreamStatus: 'ACTIVE',
        DeliveryStreamType: 'DirectPut',
        DeliveryStreamEncryptionConfiguration: { Status: 'DISABLED' },
        VersionId: String(record.version),
        CreateTimestamp: record.created,
        HasMoreDestinations: false,
        Destinations: [
          {
            DestinationId: 'destinationId-000000000001',
            ExtendedS3DestinationDescription: {
              ...record.description,
              RoleARN: record.roleArn,
              BucketARN: record.bucketArn,
              Prefix: destination.prefix || undefined,
              ErrorOutputPrefix: destination.errorOutputPrefix || undefined,
              BufferingHints: {
                IntervalInSeconds: destination.intervalSeconds,
                SizeInMBs: destination.sizeBytes / 1024 / 1024,
              },
              CompressionFormat: destination.compression,
              EncryptionConfiguration: { NoEncryptionConfig: 'NoEncryption' },
            },
          },
        ],
      },
    };
  }

  private list(input: Json, region: string): Json {
    const limit = typeof input.Limit === 'number' ? input.Limit : 10;
    const after =
      typeof input.ExclusiveStartDeliveryStreamName === 'string'
        ? input.ExclusiveStartDeliveryStreamName
        : '';
    const names = [...this.streams.values()]
      .filter(({ record }) => record.region === region && record.name > after)
      .map(({ record }) => record.name)
      .sort();
    return {
      DeliveryStreamNames: names.slice(0, limit),
      HasMoreDeliveryStreams: names.length > limit,
    };
  }

  private async delete(input: Json, region: string): Promise<Json> {
    const { record, buffer } = this.get(region, input);
    // AWS may drop what is buffered; local AWS delivers it first so no test ever loses a record.
    await buffer.close();
    this.streams.delete(this.key(region, record.name));
    await this.save(region);
    return {};
  }

  private async updateDestination(input: Json, region: string): Promise<Json> {
    const stream = this.get(region, input);
    if (String(input.CurrentDeliveryStreamVersionId) !== String(stream.record.version)) {
      throw new AwsError(
        'ConcurrentModificationException',
        'CurrentDeliveryStreamVersionId does not match the stream version',
      );
    }
    const update = (input.ExtendedS3DestinationUpdate ?? input.S3DestinationUpdate) as
      Json | undefined;
    if (!update)
      throw new AwsError(
        'InvalidArgumentException',
        'local AWS supports S3 destination updates only',
      );
    const merged = { ...stream.record.description, ...update } as Json;
    await stream.buffer.flush();
    const { destination, roleArn, bucketArn } = s3Destination(merged);
    stream.record = {
      ...stream.record,
      destination,
      roleArn,
      bucketArn,
      description: merged,
      version: stream.record.version + 1,
    };
    stream.buffer.update(stream.record);
    await this.save(region);
    return {};
  }

  private async tag(input: Json, region: string): Promise<Json> {
    const stream = this.get(region, input);
    const tags = Array.isArray(input.Tags) ? (input.Tags as StreamRecord['tags']) : [];
    const keys = new Set(tags.map((tag) => tag.Key));
    stream.record.tags = [...stream.record.tags.filter((tag) => !keys.has(tag.Key)), ...tags];
    await this.save(region);
    return {};
  }

  private throttle(): void {
    if (this.faults.roll('firehose', 'throttleRate')) {
      throw new AwsError('ServiceUnavailableException', 'Slow down.', 503, false);
    }
  }

  private async putRecord(input: Json, region: string): Promise<Json> {
    const { buffer } = this.get(region, input);
    const data = decodeRecord(input.Record, 'record.data');
    this.throttle();
    if (this.faults.roll('firehose', 'failRate')) {
      throw new AwsError(this.faults.errorCode('firehose'), 'Slow down.', 503, false);
    }
    await buffer.add([data]);
    return { RecordId: recordId(), Encrypted: false };
  }

  private async putRecordBatch(input: Json, region: string): Promise<Json> {
    const { buffer } = this.get(region, input);
    const records = input.Records;
    if (!Array.isArray(records) || records.length === 0) {
      throw validation(records, 'records', 'Member must have length greater than or equal to 1');
    }
    if (records.length > LIMITS.recordsPerBatch) {
      throw validation(
        '[...]',
        'records',
        `Member must have length less than or equal to ${LIMITS.recordsPerBatch}`,
      );
    }
    const data = records.map((record, index) =>
      decodeRecord(record, `records.${index + 1}.member.data`),
    );
    if (data.reduce((total, bytes) => total + bytes.length, 0) > LIMITS.batchBytes) {
      throw new AwsError('InvalidArgumentException', 'Records size exceeds 4 MB limit');
    }
    this.throttle();
    const accepted: Buffer[] = [];
    const responses = data.map((bytes) => {
      if (this.faults.roll('firehose', 'failRate')) {
        return { ErrorCode: this.faults.errorCode('firehose'), ErrorMessage: 'Slow down.' };
      }
      accepted.push(bytes);
      return { RecordId: recordId() };
    });
    if (accepted.length > 0) await buffer.add(accepted);
    return {
      FailedPutCount: data.length - accepted.length,
      Encrypted: false,
      RequestResponses: responses,
    };
  }

  /** Delivers every buffer; what cannot be written stays on disk for the next start. */
  async close(): Promise<void> {
    await Promise.all([...this.streams.values()].map(({ buffer }) => buffer.close()));
  }
}

function recordId(): string {
  return randomBytes(42).toString('base64').replace(/[+/=]/g, '');
}
