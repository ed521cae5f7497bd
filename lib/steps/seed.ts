import {
  ConditionalCheckFailedException,
  PutItemCommand,
  ResourceNotFoundException,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { PipelineConfig } from '../config/schema.js';
import { callAws } from './aws.js';
import type { RetryOptions } from './aws.js';
import { StepError } from './errors.js';
import { markdownTable } from './report.js';
import type { Reporter } from './report.js';

/** Options of {@link seedTickers}. */
export interface SeedOptions {
  tickers: PipelineConfig['tickers'];
  tableName: string;
  /** Overwrite existing tickers with the config's price at version 0. */
  reset: boolean;
  retry?: RetryOptions;
}

/** What seeding did, by ticker name. */
export interface SeedResult {
  written: string[];
  kept: string[];
  /** In the table but not in the config: reported, never deleted. */
  notInConfig: string[];
}

async function tableTickers(
  dynamodb: DynamoDBClient,
  tableName: string,
  retry: RetryOptions | undefined,
): Promise<string[]> {
  const names: string[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await callAws(
      { action: 'dynamodb:Scan', resource: `table ${tableName}` },
      () =>
        dynamodb.send(
          new ScanCommand({
            TableName: tableName,
            ConsistentRead: true,
            ProjectionExpression: 'TickerName',
            ExclusiveStartKey: startKey,
          }),
        ),
      retry,
    );
    for (const item of page.Items ?? []) if (item.TickerName?.S) names.push(item.TickerName.S);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return names;
}

/**
 * Writes the config's tickers into the table. Idempotent: a ticker already there keeps its live
 * price and version (the write is conditional on its absence) unless `reset`.
 */
export async function seedTickers(
  dynamodb: DynamoDBClient,
  options: SeedOptions,
  reporter: Reporter,
): Promise<SeedResult> {
  const result: SeedResult = { written: [], kept: [], notInConfig: [] };
  for (const ticker of options.tickers) {
    try {
      await callAws(
        { action: 'dynamodb:PutItem', resource: `table ${options.tableName}` },
        () =>
          dynamodb.send(
            new PutItemCommand({
              TableName: options.tableName,
              Item: {
                TickerName: { S: ticker.name },
                Price: { N: String(ticker.price) },
                Version: { N: '0' },
              },
              ...(options.reset ? {} : { ConditionExpression: 'attribute_not_exists(TickerName)' }),
            }),
          ),
        options.retry,
      );
      result.written.push(ticker.name);
      reporter.info(`${ticker.name}: written at ${ticker.price}${options.reset ? ' (reset)' : ''}`);
    } catch (error: unknown) {
      if (error instanceof ResourceNotFoundException)
        throw new StepError(
          `the table ${options.tableName} does not exist; run the deploy step first (it creates the table)`,
          { cause: error },
        );
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      result.kept.push(ticker.name);
      reporter.info(`${ticker.name}: already in the table, kept its live price and version`);
    }
  }
  const configured = new Set(options.tickers.map((t) => t.name));
  result.notInConfig = (await tableTickers(dynamodb, options.tableName, options.retry))
    .filter((name) => !configured.has(name))
    .sort();
  if (result.notInConfig.length > 0)
    reporter.warning(
      `${result.notInConfig.length} ticker(s) in ${options.tableName} are not in the config and were left as they are: ${result.notInConfig.join(', ')}`,
    );
  reporter.summary(
    `### Seed of ${options.tableName}\n\n` +
      markdownTable(
        ['ticker', 'outcome'],
        [
          ...result.written.map((name) => [name, options.reset ? 'written (reset)' : 'written']),
          ...result.kept.map((name) => [name, 'kept (already there)']),
          ...result.notInConfig.map((name) => [name, 'not in the config (left alone)']),
        ],
      ),
  );
  return result;
}
