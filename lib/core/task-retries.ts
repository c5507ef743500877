// How the library's state machines retry their tasks, shared by MapReduceWorkflow and FanOutJobWorkflow.
import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';

/** Retry settings for a workflow's Lambda and DynamoDB tasks (transient service errors and throttling only). */
export interface TaskRetryProps {
  /**
   * How many times a failed task is retried.
   * @default 6
   */
  readonly maxAttempts?: number;
  /**
   * Wait before the first retry.
   * @default Duration.seconds(2)
   */
  readonly interval?: Duration;
  /**
   * Multiplier of the wait on each further retry.
   * @default 2
   */
  readonly backoffRate?: number;
  /**
   * Upper bound of any single wait.
   * @default Duration.seconds(60)
   */
  readonly maxDelay?: Duration;
}

/** The defaults of {@link TaskRetryProps}: about two minutes of retries in all, enough to ride out a throttling burst. */
export const DEFAULT_TASK_RETRY: Required<TaskRetryProps> = {
  maxAttempts: 6,
  interval: Duration.seconds(2),
  backoffRate: 2,
  maxDelay: Duration.seconds(60),
};

/** `props` over the defaults. */
export function resolveTaskRetry(props: TaskRetryProps = {}): Required<TaskRetryProps> {
  return {
    maxAttempts: props.maxAttempts ?? DEFAULT_TASK_RETRY.maxAttempts,
    interval: props.interval ?? DEFAULT_TASK_RETRY.interval,
    backoffRate: props.backoffRate ?? DEFAULT_TASK_RETRY.backoffRate,
    maxDelay: props.maxDelay ?? DEFAULT_TASK_RETRY.maxDelay,
  };
}

/**
 * A task's retrier: exponential backoff with full jitter, so tasks throttled together do not retry together.
 * Add the errors it applies to (`{ ...taskRetry(settings), errors: LAMBDA_TRANSIENT_ERRORS }`).
 */
export function taskRetry(settings: Required<TaskRetryProps> = DEFAULT_TASK_RETRY): sfn.RetryProps {
  return { ...settings, jitterStrategy: sfn.JitterType.FULL };
}

/** Errors of the Lambda service itself, as AWS recommends retrying them, plus throttling. */
export const LAMBDA_TRANSIENT_ERRORS = [
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

/** DynamoDB errors a write can succeed after. */
export const DYNAMODB_TRANSIENT_ERRORS = [
  'DynamoDB.ProvisionedThroughputExceededException',
  'DynamoDB.RequestLimitExceededException',
  'DynamoDB.ThrottlingException',
  'DynamoDB.InternalServerErrorException',
];

/**
 * The DynamoDB errors FanOutJobWorkflow's job-record poll retries. Kept apart from DYNAMODB_TRANSIENT_ERRORS
 * because merging the two would change deployed templates: they differ in the request-limit error's name
 * ('DynamoDB.RequestLimitExceeded' here, DynamoDB's own error code) and in order.
 */
export const DYNAMODB_POLL_ERRORS = [
  'DynamoDB.ProvisionedThroughputExceededException',
  'DynamoDB.RequestLimitExceeded',
  'DynamoDB.InternalServerErrorException',
  'DynamoDB.ThrottlingException',
];
