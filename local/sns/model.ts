import { AwsError, xmlEscape } from '../http.js';

/** A subscription as stored with its topic. */
export interface Subscription {
  arn: string;
  protocol: string;
  endpoint: string;
  /** Set by Subscribe or SetSubscriptionAttributes (absent in state saved before they existed). */
  attributes?: Record<string, string>;
}

/** A topic as stored, with its subscriptions. */
export interface Topic {
  arn: string;
  name: string;
  attributes: Record<string, string>;
  tags: Record<string, string>;
  subscriptions: Subscription[];
}

/** SNS's `InvalidParameter` error. */
export function invalid(what: string): AwsError {
  return new AwsError('InvalidParameter', `Invalid parameter: ${what}`);
}

/** A required parameter, or `InvalidParameter` naming it. */
export function required(params: URLSearchParams, name: string): string {
  const value = params.get(name);
  if (value === null || value === '') throw invalid(`${name} is required`);
  return value;
}

/** A list as SNS writes it: `<Name><member>...</member></Name>`. */
export function members(name: string, items: string[]): string {
  return `<${name}>${items.map((item) => `<member>${item}</member>`).join('')}</${name}>`;
}

/** An attribute map as SNS writes it: `<Attributes><entry><key><value>`. */
export function attributesXml(attributes: Record<string, string>): string {
  return `<Attributes>${Object.entries(attributes)
    .map(
      ([key, value]) =>
        `<entry><key>${xmlEscape(key)}</key><value>${xmlEscape(value)}</value></entry>`,
    )
    .join('')}</Attributes>`;
}
