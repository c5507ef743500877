import { PublishCommand } from '@aws-sdk/client-sns';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { LocalRunner } from '../local-runner';
import type { LocalQueue } from '../local-sns-sqs';

/** The services whose targets a rule or a schedule delivers to locally. */
export const DELIVERED_SERVICES = ['states', 'lambda', 'sns', 'sqs'];

/** What a delivery started or sent: the execution's ARN, or the message's id. */
export interface DeliveryReceipt {
  readonly executionArn?: string;
  readonly messageId?: string;
}

/**
 * Delivers `text` to a target as EventBridge does (rules and schedules alike): StartExecution, an asynchronous Invoke,
 * Publish, SendMessage. A function's invocation runs on in `background` (it is delivered once Lambda takes the event;
 * its errors are its own, in its stats, as they would be in its log group). A target of another service is refused,
 * naming it.
 */
export async function deliverToTarget(
  runner: LocalRunner, arn: string, text: string, startedBy: string, background: Set<Promise<void>>,
): Promise<DeliveryReceipt> {
  const service = arn.split(':')[2];
  if (service === 'states') {
    return { executionArn: runner.stepFunctions.startExecution({ stateMachineArn: arn, input: text }, startedBy).executionArn };
  }
  if (service === 'lambda') {
    // A missing function or a throttle is a refusal the caller sees (Lambda's own queue for throttled events is not modelled).
    const invocation = runner.lambda.startInvocation(arn, JSON.parse(text));
    const settled = invocation.then(() => undefined, () => undefined);
    background.add(settled);
    void settled.finally(() => background.delete(settled));
    return {};
  }
  if (service === 'sns' && runner.snsSqs) {
    return { messageId: (await runner.snsSqs.sns.send(new PublishCommand({ TopicArn: arn, Message: text }))).MessageId };
  }
  if (service === 'sqs' && runner.snsSqs) {
    return { messageId: (await runner.snsSqs.sqs.send(new SendMessageCommand({ QueueUrl: localQueue(runner, arn).url, MessageBody: text }))).MessageId };
  }
  throw new Error(`the local run does not deliver to ${arn}`);
}

/** The local queue of an ARN; an error naming it when the stack made none. */
export function localQueue(runner: LocalRunner, arn: string): LocalQueue {
  const queue = runner.snsSqs?.queueByArn(arn);
  if (!queue) throw new Error(`no local queue ${arn}`);
  return queue;
}
