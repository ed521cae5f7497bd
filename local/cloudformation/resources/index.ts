import { dynamodbTable } from './dynamodbTable.js';
import { firehoseDeliveryStream } from './firehoseDeliveryStream.js';
import type { Provisioner } from './provisioner.js';
import { s3Bucket } from './s3Bucket.js';
import { s3BucketPolicy } from './s3BucketPolicy.js';
import { snsSubscription } from './snsSubscription.js';
import { snsTopic } from './snsTopic.js';

export type { Provisioner } from './provisioner.js';

/** The resource types local CloudFormation provisions, one provisioner each. */
export const PROVISIONERS: Readonly<Record<string, Provisioner>> = {
  'AWS::DynamoDB::Table': dynamodbTable,
  'AWS::KinesisFirehose::DeliveryStream': firehoseDeliveryStream,
  'AWS::S3::Bucket': s3Bucket,
  'AWS::S3::BucketPolicy': s3BucketPolicy,
  'AWS::SNS::Subscription': snsSubscription,
  'AWS::SNS::Topic': snsTopic,
};
