import { xmlEscape } from '../http.js';
import { queryList, queryPairs } from '../query.js';

type Json = Record<string, unknown>;

/** Namespace of SQS's query-protocol answers. */
export const SQS_XMLNS = 'http://queue.amazonaws.com/doc/2012-11-05/';

const NUMBERS = new Set([
  'MaxResults',
  'DelaySeconds',
  'MaxNumberOfMessages',
  'VisibilityTimeout',
  'WaitTimeSeconds',
]);

const LISTS = {
  AttributeName: 'AttributeNames',
  MessageSystemAttributeName: 'MessageSystemAttributeNames',
  MessageAttributeName: 'MessageAttributeNames',
  TagKey: 'TagKeys',
} as const;

const BATCH_ENTRIES = [
  'SendMessageBatchRequestEntry',
  'DeleteMessageBatchRequestEntry',
  'ChangeMessageVisibilityBatchRequestEntry',
];

/** Reads the fields of one request (or batch entry) under `prefix` into the JSON protocol's shape. */
function fields(params: URLSearchParams, prefix: string, action: string): Json {
  const input: Json = {};
  const names = new Set<string>();
  for (const key of params.keys()) {
    if (key.startsWith(prefix)) names.add(key.slice(prefix.length).split('.')[0]!);
  }
  for (const name of names) {
    const value = params.get(`${prefix}${name}`);
    if (name in LISTS) {
      input[LISTS[name as keyof typeof LISTS]] = queryList(params, `${prefix}${name}`);
    } else if (name === 'Attribute') {
      input.Attributes = queryPairs(params, `${prefix}Attribute`, 'Name', 'Value');
    } else if (name === 'Tag') {
      // CreateQueue names its tags `tags` in JSON; TagQueue names them `Tags`.
      input[action === 'CreateQueue' ? 'tags' : 'Tags'] = queryPairs(params, `${prefix}Tag`);
    } else if (name === 'MessageAttribute') {
      const attributes: Json = {};
      for (let index = 1; params.has(`${prefix}MessageAttribute.${index}.Name`); index++) {
        const at = `${prefix}MessageAttribute.${index}`;
        attributes[params.get(`${at}.Name`)!] = {
          DataType: params.get(`${at}.Value.DataType`) ?? undefined,
          StringValue: params.get(`${at}.Value.StringValue`) ?? undefined,
          BinaryValue: params.get(`${at}.Value.BinaryValue`) ?? undefined,
        };
      }
      input.MessageAttributes = attributes;
    } else if (BATCH_ENTRIES.includes(name)) {
      const entries: Json[] = [];
      for (
        let index = 1;
        [...params.keys()].some((k) => k.startsWith(`${name}.${index}.`));
        index++
      )
        entries.push(fields(params, `${name}.${index}.`, action));
      input.Entries = entries;
    } else if (value !== null) {
      input[name] = NUMBERS.has(name) ? Number(value) : value;
    }
  }
  return input;
}

/** A query-protocol SQS request (`Action=...` form fields) as the JSON protocol's input. */
export function queryInput(params: URLSearchParams, queueUrlFromPath?: string): Json {
  const action = params.get('Action') ?? '';
  const input = fields(params, '', action);
  delete input.Action;
  delete input.Version;
  // Old clients post to the queue URL itself instead of naming it.
  if (input.QueueUrl === undefined && queueUrlFromPath) input.QueueUrl = queueUrlFromPath;
  return input;
}

function element(name: string, content: string): string {
  return `<${name}>${content}</${name}>`;
}

function text(value: unknown): string {
  return xmlEscape(String(value));
}

function object(value: Json, action: string): string {
  return Object.entries(value)
    .filter(([, item]) => item !== undefined)
    .map(([key, item]) => member(key, item, action))
    .join('');
}

/** One field of a JSON answer as SQS's query protocol writes it (flattened lists and maps). */
function member(key: string, value: unknown, action: string): string {
  switch (key) {
    case 'QueueUrls':
      return (value as string[]).map((url) => element('QueueUrl', text(url))).join('');
    case 'Attributes':
      return Object.entries(value as Record<string, string>)
        .map(([name, item]) =>
          element('Attribute', element('Name', text(name)) + element('Value', text(item))),
        )
        .join('');
    case 'Tags':
      return Object.entries(value as Record<string, string>)
        .map(([name, item]) =>
          element('Tag', element('Key', text(name)) + element('Value', text(item))),
        )
        .join('');
    case 'MessageAttributes':
      return Object.entries(value as Record<string, Json>)
        .map(([name, item]) =>
          element(
            'MessageAttribute',
            element('Name', text(name)) + element('Value', object(item, action)),
          ),
        )
        .join('');
    case 'Messages':
      return (value as Json[]).map((item) => element('Message', object(item, action))).join('');
    case 'Successful':
      return (value as Json[])
        .map((item) => element(`${action}ResultEntry`, object(item, action)))
        .join('');
    case 'Failed':
      return (value as Json[])
        .map((item) => element('BatchResultErrorEntry', object(item, action)))
        .join('');
    default:
      return element(key, text(value));
  }
}

/** A JSON-protocol answer as the query protocol's result XML. */
export function queryResult(output: Json, action: string): string {
  return object(output, action);
}
