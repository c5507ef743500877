import * as sns from '@aws-sdk/client-sns';
import * as sqs from '@aws-sdk/client-sqs';
import { LOCAL_ACCOUNT } from '../assembly/intrinsics';
import { exportedBy, jsonText, optimisedIntegrationError, withSdkMetadata } from './integration-responses';
import type { LocalSnsSqs } from './local-sns-sqs';

type JsonValue = any;

const SNS = { prefix: 'SNS', javaService: 'AmazonSNS', baseException: 'AmazonSNSException', named: exportedBy(sns) };
const SQS = { prefix: 'SQS', javaService: 'AmazonSQS', baseException: 'AmazonSQSException', named: exportedBy(sqs) };

/**
 * `arn:aws:states:::sns:publish` on the local SNS: the Publish request with a JSON `Message` sent as its JSON text,
 * the Publish response with the SDK's metadata; a missing topic is `SNS.NotFoundException`.
 * https://docs.aws.amazon.com/step-functions/latest/dg/connect-sns.html
 */
export async function publish(snsSqs: LocalSnsSqs, input: JsonValue): Promise<JsonValue> {
  try {
    return withSdkMetadata(await snsSqs.sns.send(new sns.PublishCommand({ ...input, Message: jsonText(input.Message) })));
  } catch (error) {
    throw optimisedIntegrationError(error, SNS);
  }
}

/**
 * `arn:aws:states:::sqs:sendMessage` on the local SQS: the SendMessage request with a JSON `MessageBody` sent as its
 * JSON text, the SendMessage response with the SDK's metadata; a missing queue is `SQS.QueueDoesNotExistException`.
 * https://docs.aws.amazon.com/step-functions/latest/dg/connect-sqs.html
 */
export async function sendMessage(snsSqs: LocalSnsSqs, input: JsonValue): Promise<JsonValue> {
  try {
    const QueueUrl = localQueueUrl(snsSqs, String(input.QueueUrl));
    return withSdkMetadata(await snsSqs.sqs.send(new sqs.SendMessageCommand({ ...input, QueueUrl, MessageBody: jsonText(input.MessageBody) })));
  } catch (error) {
    throw optimisedIntegrationError(error, SQS);
  }
}

/**
 * The local URL of the queue a definition names: a queue's `Ref` is already its local URL, and a URL written for AWS
 * (`https://sqs.<region>.amazonaws.com/<account>/<name>`) or a bare name names it by its last segment. A queue the
 * run did not create keeps its name, so the local SQS answers that it does not exist.
 */
function localQueueUrl(snsSqs: LocalSnsSqs, queueUrl: string): string {
  const name = queueUrl.split('/').pop();
  const queue = [...snsSqs.queues.values()].find((q) => q.url.endsWith(`/${name}`));
  return queue?.url ?? `${snsSqs.endpoint}/${LOCAL_ACCOUNT}/${name}`;
}
