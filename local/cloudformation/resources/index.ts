import { dynamodbTable } from './dynamodbTable.js';
import { firehoseDeliveryStream } from './firehoseDeliveryStream.js';
import { iamManagedPolicy } from './iamManagedPolicy.js';
import { iamOidcProvider } from './iamOidcProvider.js';
import { iamPolicy } from './iamPolicy.js';
import { iamRole } from './iamRole.js';
import { lambdaEventInvokeConfig } from './lambdaEventInvokeConfig.js';
import { lambdaFunction } from './lambdaFunction.js';
import { lambdaPermission } from './lambdaPermission.js';
import { logsLogGroup } from './logsLogGroup.js';
import { logsLogStream } from './logsLogStream.js';
import type { Provisioner } from './provisioner.js';
import { s3Bucket } from './s3Bucket.js';
import { s3BucketPolicy } from './s3BucketPolicy.js';
import { schedulerSchedule } from './schedulerSchedule.js';
import { snsSubscription } from './snsSubscription.js';
import { snsTopic } from './snsTopic.js';
import { sqsQueue } from './sqsQueue.js';
import { sqsQueuePolicy } from './sqsQueuePolicy.js';

export type { Provisioner } from './provisioner.js';

/** The resource types local CloudFormation provisions, one provisioner each. */
export const PROVISIONERS: Readonly<Record<string, Provisioner>> = {
  'AWS::DynamoDB::Table': dynamodbTable,
  'AWS::IAM::ManagedPolicy': iamManagedPolicy,
  'AWS::IAM::OIDCProvider': iamOidcProvider,
  'AWS::IAM::Policy': iamPolicy,
  'AWS::IAM::Role': iamRole,
  'AWS::KinesisFirehose::DeliveryStream': firehoseDeliveryStream,
  'AWS::Lambda::EventInvokeConfig': lambdaEventInvokeConfig,
  'AWS::Lambda::Function': lambdaFunction,
  'AWS::Lambda::Permission': lambdaPermission,
  'AWS::Logs::LogGroup': logsLogGroup,
  'AWS::Logs::LogStream': logsLogStream,
  'AWS::S3::Bucket': s3Bucket,
  'AWS::S3::BucketPolicy': s3BucketPolicy,
  'AWS::Scheduler::Schedule': schedulerSchedule,
  'AWS::SNS::Subscription': snsSubscription,
  'AWS::SNS::Topic': snsTopic,
  'AWS::SQS::Queue': sqsQueue,
  'AWS::SQS::QueuePolicy': sqsQueuePolicy,
};
