import { messageOf } from '../lib/errors.js';
import { loadEvaluator } from '../lib/iam/evaluate.js';
import type { Clock } from './clock.js';
import type { Faults } from './faults.js';
import type { LocalServices, ServiceName } from './gateway.js';
import type { Authorizer, ServiceMapping } from './iam/authorize.js';
import {
  firehoseDeliveryWriter,
  lambdaExecutionRoles,
  schedulerRoles,
} from './iam/serviceRoles.js';
import type { CredentialRegistry } from './identity/credentials.js';
import type { LogStore } from './logs/store.js';
import { ServiceRegistry } from './registry.js';

/** What the registry starts: the routed services, and the log store Lambda and Logs share. */
export type Started = LocalServices & { logStore: LogStore };

/** What the services share: the state folder, the clock, IAM, and the endpoint once it listens. */
export interface ServiceContext {
  stateDir: string;
  clock: Clock;
  log: (line: string) => void;
  faults: Faults;
  /** Who each access key stands for; STS hands out keys into it. */
  credentials: CredentialRegistry;
  /** Filled as each service starts: how its requests map to IAM (the authorizer reads it). */
  mappings: Map<ServiceName, ServiceMapping>;
  authorizer: Authorizer;
  /** The gateway's address, known once it listens (before any service starts). */
  endpoint: () => string;
}

/**
 * The services' registry: each loader imports its module only when the service is first used, so
 * the packages behind it (DuckDB, the AWS SDK clients, dynalite...) load then, not at start.
 * Services reach each other through the registry, which starts them in turn.
 */
export function createServiceRegistry(context: ServiceContext): ServiceRegistry<Started> {
  const { stateDir, clock, log, faults, credentials, mappings, authorizer, endpoint } = context;
  const registry: ServiceRegistry<Started> = new ServiceRegistry<Started>({
    s3: {
      start: async () => {
        const [{ S3Service }, { s3Authorization }] = await Promise.all([
          import('./s3/index.js'),
          import('./s3/authorization.js'),
        ]);
        const s3 = new S3Service(stateDir);
        await s3.start();
        mappings.set('s3', s3Authorization(s3.store));
        return s3;
      },
      close: (s3) => s3.close(),
    },
    dynamodb: {
      start: async () => {
        const [{ DynamoDbService }, { DYNAMODB_AUTHORIZATION }] = await Promise.all([
          import('./dynamodb/index.js'),
          import('./dynamodb/authorization.js'),
        ]);
        mappings.set('dynamodb', DYNAMODB_AUTHORIZATION);
        return new DynamoDbService(stateDir);
      },
      close: (dynamodb) => dynamodb.close(),
    },
    sqs: {
      start: async () => {
        const [{ SqsService }, { sqsAuthorization }] = await Promise.all([
          import('./sqs/index.js'),
          import('./sqs/authorization.js'),
        ]);
        const sqs = new SqsService(stateDir, endpoint, clock);
        await sqs.start();
        mappings.set(
          'sqs',
          sqsAuthorization((queueArn) => sqs.queuePolicy(queueArn)),
        );
        return sqs;
      },
      close: (sqs) => sqs.close(),
    },
    sns: {
      start: async () => {
        const [{ SnsService }, { snsAuthorization }] = await Promise.all([
          import('./sns/index.js'),
          import('./sns/authorization.js'),
        ]);
        const sns = new SnsService(stateDir, log, {
          sendMessage: async (queueArn, body, attributes) =>
            (await registry.get('sqs')).sendMessage(queueArn, body, attributes),
        });
        await sns.start();
        mappings.set(
          'sns',
          snsAuthorization((topicArn) => sns.topicPolicy(topicArn)),
        );
        return sns;
      },
    },
    iam: {
      start: async () => {
        const [{ IamService }, { IAM_AUTHORIZATION }] = await Promise.all([
          import('./iam/index.js'),
          import('./iam/authorization.js'),
        ]);
        const iam = new IamService(stateDir, clock);
        await iam.start();
        // Roles can now be made and assumed: IAM's evaluator loads meanwhile, so that the first
        // decision (a schedule firing with its role, say) does not wait for it.
        void loadEvaluator().catch((error: unknown) =>
          log(`local IAM: the policy evaluator did not load: ${messageOf(error)}`),
        );
        mappings.set('iam', IAM_AUTHORIZATION);
        return iam;
      },
    },
    sts: {
      start: async () => {
        const [{ StsService }, iam] = await Promise.all([
          import('./sts/index.js'),
          registry.get('iam'),
        ]);
        return new StsService(iam.store, credentials, authorizer);
      },
    },
    logStore: {
      start: async () => {
        const { LogStore } = await import('./logs/store.js');
        const store = new LogStore(stateDir);
        await store.start();
        return store;
      },
      close: (store) => store.close(),
    },
    logs: {
      start: async () => {
        const [{ LogsService }, { LOGS_AUTHORIZATION }, store] = await Promise.all([
          import('./logs/index.js'),
          import('./logs/authorization.js'),
          registry.get('logStore'),
        ]);
        mappings.set('logs', LOGS_AUTHORIZATION);
        return new LogsService(store);
      },
    },
    firehose: {
      start: async () => {
        const [{ FirehoseService }, { FIREHOSE_AUTHORIZATION }] = await Promise.all([
          import('./firehose/index.js'),
          import('./firehose/authorization.js'),
        ]);
        const firehose = new FirehoseService(
          stateDir,
          firehoseDeliveryWriter({
            store: async () => (await registry.get('s3')).store,
            logs: () => registry.get('logStore'),
            authorizer,
            clock,
            log,
          }),
          faults,
          log,
          clock,
        );
        await firehose.start();
        mappings.set('firehose', FIREHOSE_AUTHORIZATION);
        return firehose;
      },
      close: (firehose) => firehose.close(),
    },
    lambda: {
      start: async () => {
        const [{ LambdaService }, { lambdaAuthorization }, logStore] = await Promise.all([
          import('./lambda/index.js'),
          import('./lambda/authorization.js'),
          registry.get('logStore'),
        ]);
        const lambda = new LambdaService({
          roles: lambdaExecutionRoles(authorizer, clock, log),
          stateDir,
          logs: logStore,
          // Lambda reads function code through S3's own code path: the store's in-process API.
          code: {
            getObject: async (bucket, key) =>
              (await registry.get('s3')).store.readObject(bucket, key),
          },
          senders: {
            publishSns: async (topicArn, message) =>
              (await registry.get('sns')).publishMessage(topicArn, message),
            sendSqs: async (queueArn, body) => {
              await (await registry.get('sqs')).sendMessage(queueArn, body);
            },
          },
          clock,
          endpoint,
          log,
        });
        await lambda.start();
        mappings.set(
          'lambda',
          lambdaAuthorization((functionArn) => lambda.functionPolicy(functionArn)),
        );
        // Services start once the gateway listens, so functions can already reach the endpoint.
        await lambda.resumeEvents();
        return lambda;
      },
      close: (lambda) => lambda.close(),
    },
    scheduler: {
      start: async () => {
        const [{ SchedulerService }, { SCHEDULER_AUTHORIZATION }] = await Promise.all([
          import('./scheduler/index.js'),
          import('./scheduler/authorization.js'),
        ]);
        const scheduler = new SchedulerService({
          stateDir,
          clock,
          log,
          targets: {
            invokeAsync: async (functionArn, payload) =>
              (await registry.get('lambda')).invokeAsync(functionArn, payload),
            sendMessage: async (queueArn, body, attributes) =>
              (await registry.get('sqs')).sendMessage(queueArn, body, attributes),
            publish: async (topicArn, message) =>
              (await registry.get('sns')).publishMessage(topicArn, message),
            permit: schedulerRoles({
              authorizer,
              clock,
              log,
              resourcePolicy: async (arn) =>
                arn.startsWith('arn:aws:lambda:')
                  ? (await registry.get('lambda')).functionPolicy(arn)
                  : arn.startsWith('arn:aws:sns:')
                    ? (await registry.get('sns')).topicPolicy(arn)
                    : (await registry.get('sqs')).queuePolicy(arn),
            }),
          },
        });
        await scheduler.start();
        mappings.set('scheduler', SCHEDULER_AUTHORIZATION);
        // Schedules fire once functions can reach the endpoint (it is known by now).
        scheduler.resume();
        return scheduler;
      },
      close: (scheduler) => scheduler.close(),
    },
    glue: {
      start: async () => {
        const { GlueService } = await import('./glue/index.js');
        const glue = new GlueService(stateDir);
        await glue.start();
        return glue;
      },
    },
    athena: {
      start: async () => {
        const [{ AthenaService }, glue, s3] = await Promise.all([
          import('./athena/index.js'),
          registry.get('glue'),
          registry.get('s3'),
        ]);
        const athena = new AthenaService(stateDir, glue, s3.store);
        await athena.start();
        return athena;
      },
      close: (athena) => athena.close(),
    },
    cloudformation: {
      start: async () => {
        const [{ CloudFormationService }, { CLOUDFORMATION_AUTHORIZATION }] = await Promise.all([
          import('./cloudformation/index.js'),
          import('./cloudformation/authorization.js'),
        ]);
        const cloudformation = new CloudFormationService({
          stateDir,
          endpoint,
          log,
        });
        await cloudformation.start();
        mappings.set('cloudformation', CLOUDFORMATION_AUTHORIZATION);
        cloudformation.recover();
        return cloudformation;
      },
      close: (cloudformation) => cloudformation.close(),
    },
  });
  return registry;
}

/** Closes every service that started, those that call others first. */
export async function closeServices(registry: ServiceRegistry<Started>): Promise<void> {
  // Stack operations call the other services: they finish first.
  await registry.close('cloudformation');
  // Schedules stop first: a firing must not reach a function or queue that is closing.
  await registry.close('scheduler');
  await registry.close('lambda');
  await registry.close('sqs');
  await registry.close('firehose');
  await registry.close('athena');
  await Promise.all(
    (['dynamodb', 's3', 'logStore', 'sns', 'iam', 'sts', 'logs', 'glue'] as const).map((name) =>
      registry.close(name),
    ),
  );
}
