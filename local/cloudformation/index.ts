import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { messageOf } from '../../lib/errors.js';
import { arn } from '../account.js';
import { AwsError } from '../http.js';
import { serveQueryOperation, unknownAction } from '../query.js';
import { ACTIONS } from './actions.js';
import { Clients } from './clients.js';
import { Engine } from './engine.js';
import { inProgress } from './model.js';
import type { Stack, StackInputs } from './model.js';
import { PROVISIONERS } from './resources/index.js';
import { loadSchemas } from './schema.js';
import type { Schemas } from './schema.js';
import { StackStore } from './store.js';
import { MAX_TEMPLATE_BODY_BYTES, parseTemplateText, validation } from './template.js';
import type { Template } from './template.js';

const XMLNS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

/** CloudFormation's operations, by which the gateway tells an unsigned call for it apart. */
export const CLOUDFORMATION_ACTIONS: readonly string[] = Object.keys(ACTIONS);

/** How to run local CloudFormation. */
export interface CloudFormationOptions {
  stateDir: string;
  /** The gateway's endpoint: provisioners call the services through it. */
  endpoint: () => string;
  log?: (line: string) => void;
  now?: () => Date;
  /**
   * How long a call that starts a stack operation waits for it to end before answering (real
   * milliseconds). AWS answers at once; waiting a little lets waiters that poll every 5 or 30
   * seconds (`aws cloudformation deploy`) find the stack finished at their first poll.
   */
  settleMs?: number;
}

/** The state a stack action works with. */
export interface ActionContext {
  region: string;
  params: URLSearchParams;
  service: CloudFormationService;
}

/** CloudFormation (query protocol, 2010-05-15): stacks, change sets and their resources. */
export class CloudFormationService {
  readonly store: StackStore;
  readonly engine: Engine;
  private readonly clients = new Map<string, Clients>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly log: (line: string) => void;
  private readonly settleMs: number;
  readonly now: () => Date;

  constructor(private readonly options: CloudFormationOptions) {
    this.store = new StackStore(options.stateDir);
    this.log = options.log ?? (() => undefined);
    this.settleMs = options.settleMs ?? 3000;
    this.now = options.now ?? (() => new Date());
    this.engine = new Engine({
      provisioners: PROVISIONERS,
      schemas: loadSchemas,
      clients: (region) => this.clientsFor(region),
      exports: (region) => this.exports(region),
      exporter: (region, name) =>
        this.store
          .list(region)
          .find(
            (stack) =>
              stack.status !== 'DELETE_COMPLETE' &&
              stack.outputs.some((output) => output.exportName === name),
          )?.stackId,
      save: () => this.store.save(),
      now: this.now,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      randomSuffix: () =>
        [...randomBytes(13)]
          .map((byte) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'[byte % 36])
          .join(''),
    });
  }

  /** Loads the stacks of earlier runs. */
  async start(): Promise<void> {
    await this.store.load();
  }

  /**
   * Finishes what a crash interrupted, once the gateway serves: a create or its rollback is rolled
   * back, a delete resumed, an update rolled back (or its cleanup finished).
   */
  recover(): void {
    for (const stack of this.store.all()) {
      if (!inProgress(stack.status)) continue;
      this.log(`cloudformation: resuming ${stack.name} from ${stack.status}`);
      void this.run(stack, () => this.engine.resume(stack));
    }
  }

  /** Waits for running operations and closes the clients. */
  async close(): Promise<void> {
    await Promise.allSettled(this.running.values());
    for (const clients of this.clients.values()) clients.destroy();
    this.clients.clear();
  }

  /** The region's SDK clients, pointed at the gateway. */
  clientsFor(region: string): Clients {
    let clients = this.clients.get(region);
    if (!clients) {
      clients = new Clients(region, this.options.endpoint);
      this.clients.set(region, clients);
    }
    return clients;
  }

  /** Export values of the region's live stacks by name. */
  exports(region: string): Map<string, string> {
    const result = new Map<string, string>();
    for (const stack of this.store.list(region))
      if (stack.status !== 'DELETE_COMPLETE')
        for (const output of stack.outputs)
          if (output.exportName !== undefined) result.set(output.exportName, output.value);
    return result;
  }

  /** The stack a name or id names, or AWS's error for one that does not exist. */
  stack(region: string, nameOrId: string | null): Stack {
    if (!nameOrId) throw validation('StackName is required');
    const stack = this.store.find(region, nameOrId);
    if (!stack) throw validation(`Stack with id ${nameOrId} does not exist`);
    return stack;
  }

  /** Whether an operation is running on the stack. */
  busy(stack: Stack): boolean {
    return this.running.has(stack.stackId) || inProgress(stack.status);
  }

  /**
   * Runs a stack operation in the background, as CloudFormation does, and answers once it ended
   * or after {@link CloudFormationOptions.settleMs}.
   */
  async run(stack: Stack, operation: () => Promise<void>): Promise<void> {
    const before = this.running.get(stack.stackId) ?? Promise.resolve();
    const next = before
      .then(operation)
      .catch(async (error: unknown) => {
        // A bug, not a resource failure (those are events): record it rather than hang in progress.
        this.log(`cloudformation: ${stack.name}: ${messageOf(error)}`);
        stack.status = stack.status.replace(/_IN_PROGRESS$/, '_FAILED');
        stack.statusReason = `local AWS failed: ${messageOf(error)}`;
        await this.store.save();
      })
      .finally(() => {
        if (this.running.get(stack.stackId) === next) this.running.delete(stack.stackId);
      });
    this.running.set(stack.stackId, next);
    await Promise.race([
      next,
      new Promise((resolve) => setTimeout(resolve, this.settleMs).unref()),
    ]);
  }

  /** A new stack id in the CloudFormation ARN format. */
  newStackId(region: string, name: string): string {
    return arn('cloudformation', region, `stack/${name}/${crypto.randomUUID()}`);
  }

  /** The schemas of every resource type. */
  schemas(): Promise<Schemas> {
    return loadSchemas();
  }

  /**
   * The template a request gives: TemplateBody, TemplateURL (an object in local S3), or the
   * stack's current one with UsePreviousTemplate.
   */
  async template(
    region: string,
    params: URLSearchParams,
    current?: StackInputs,
  ): Promise<Template> {
    const body = params.get('TemplateBody');
    const url = params.get('TemplateURL');
    if (params.get('UsePreviousTemplate') === 'true') {
      if (!current) throw validation('UsePreviousTemplate can only be used with an existing stack');
      return parseTemplateText(current.templateBody);
    }
    if (body !== null) {
      if (Buffer.byteLength(body) > MAX_TEMPLATE_BODY_BYTES)
        throw validation(
          `1 validation error detected: Value at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to ${MAX_TEMPLATE_BODY_BYTES}`,
        );
      return parseTemplateText(body);
    }
    if (url !== null) return parseTemplateText(await this.fetchTemplate(region, url));
    throw validation('Either Template URL or Template Body must be specified.');
  }

  private async fetchTemplate(region: string, templateUrl: string): Promise<string> {
    let url: URL;
    try {
      url = new URL(templateUrl);
    } catch {
      throw validation('TemplateURL must be a supported URL.');
    }
    const path = decodeURIComponent(url.pathname).replace(/^\//, '');
    const virtualHost = /^([^.]+(?:\.[^.]+)*?)\.s3[.-]/.exec(url.hostname);
    const [bucket, key] = virtualHost
      ? [virtualHost[1]!, path]
      : [path.slice(0, path.indexOf('/')), path.slice(path.indexOf('/') + 1)];
    if (!bucket || !key) throw validation('TemplateURL must be a supported URL.');
    try {
      const object = await this.clientsFor(region)
        .get(S3Client)
        .send(
          new GetObjectCommand({
            Bucket: bucket,
            Key: key,
            VersionId: url.searchParams.get('versionId') ?? undefined,
          }),
        );
      return await object.Body!.transformToString('utf8');
    } catch (error: unknown) {
      if (error instanceof AwsError) throw error;
      throw validation(`S3 error: ${messageOf(error)}`);
    }
  }

  /** Serves one CloudFormation request: form-encoded body, XML answer. */
  async handle(
    request: IncomingMessage,
    response: ServerResponse,
    region: string,
    url: URL,
    /** The body, when the gateway already read it (an unsigned call routed by its Action). */
    read?: Buffer,
  ): Promise<void> {
    await serveQueryOperation(
      request,
      response,
      { url, namespace: XMLNS, body: read },
      (action, params) => {
        const handler = ACTIONS[action];
        if (!handler) throw unknownAction(action);
        return handler({ region, params, service: this });
      },
    );
  }
}
