import { Duration } from 'aws-cdk-lib';

// The runbook: what each alarm of the library means and what an operator does when it fires, as its description —
// PipelineMonitoring's and the constructs' own (a consumer's or a schedule's dead letters, provisioned spillover). Kept together so the advice reads alike and names the same tools: the installed `sdp` command
// (`npx sdp status | trace | start`, in the app's directory) for executions, the AWS consoles and CLI for the rest.

/** When the threshold must be reached: `in 5 minutes`, or `in 2 of 3 periods of 5 minutes`. */
export function alarmWindow(timing: { period: Duration; evaluationPeriods: number; datapointsToAlarm: number }): string {
  const period = timing.period.toHumanString();
  return timing.evaluationPeriods === 1 ? `in ${period}` : `in ${timing.datapointsToAlarm} of ${timing.evaluationPeriods} periods of ${period}`;
}

/** What a count alarm says of the thing it watches: its construct path, its threshold and its window. */
export interface CountFacts {
  /** Construct path of the monitored resource. */
  readonly path: string;
  readonly threshold: number;
  /** From {@link alarmWindow}. */
  readonly window: string;
}

// Workflows

/** `ExecutionsFailed`; `failureRecord` is what the workflow itself recorded of each failure, if anything. */
export function executionsFailed({ path, threshold, window }: CountFacts, failureRecord?: string): string {
  return `${threshold}+ executions of the state machine ${path} failed ${window}. `
    + 'Find them in the Step Functions console (filter Failed) or with `aws stepfunctions list-executions --status-filter FAILED --state-machine-arn <arn>`; '
    + '`npx sdp status <execution arn>` prints one\'s error and cause, and `npx sdp trace <execution arn>` shows which state failed.'
    + (failureRecord ? ` ${failureRecord}` : '');
}

/** `ExecutionsTimedOut`. */
export function executionsTimedOut({ path, threshold, window }: CountFacts): string {
  return `${threshold}+ executions of ${path} ran past the workflow timeout and were stopped ${window}. `
    + '`npx sdp trace <execution arn>` shows the state still running at the end; make that task faster, raise its timeout or the workflow timeout, or split the input.';
}

/** `ExecutionThrottled`. */
export function executionsThrottled({ path, threshold, window }: CountFacts): string {
  return `Step Functions throttled ${threshold}+ state transitions of ${path} ${window}: the account's state-transition quota in this region is used up, so runs slow down. `
    + 'Check Step Functions quotas in the Service Quotas console, lower Map maxConcurrency, or request a higher quota.';
}

/** `ExecutionsAborted`. */
export function executionsAborted({ path, threshold, window }: CountFacts): string {
  // A new name: StartExecution refuses a stopped execution's name for 90 days (ExecutionAlreadyExists), whatever the input.
  return `${threshold}+ executions of ${path} were stopped with StopExecution ${window}. If nobody meant to, CloudTrail's StopExecution events name who did. `
    + 'Run the job again with `npx sdp start <state machine> --input <file.json> --name <new job id>`: a stopped execution keeps its name for 90 days.';
}

// Functions

/** What a worker's failed invocation leads to, said in its `Errors` alarm. */
export const QUEUE_WORKER_ERRORS = 'Failed records return to the queue and, after maxReceiveCount receives, go to its dead-letter queue. ';

/** What a warmer's failed run leads to, said in its `Errors` alarm. */
export const WARMER_ERRORS = 'A warm-up run that fails leaves its targets to start cold until the next run. '
  + 'A target that did not answer is logged and counted in the run\'s result, not an error of the warmer: watch the targets\' Throttles. ';

/** `Errors` of a function; `consequence` (a sentence and a space, or nothing) says what the error leads to where the function sits. */
export function functionErrors({ path, threshold, window }: CountFacts, consequence = ''): string {
  return `${threshold}+ invocations of the function ${path} ended in an error ${window}. ${consequence}`
    + 'Its log group has the error (Logs Insights: filter level = "ERROR"), and its X-Ray traces show the failing call.';
}

/** `Throttles` of a function. */
export function functionThrottles({ path, threshold, window }: CountFacts): string {
  return `${threshold}+ invocations of ${path} were throttled ${window}: its reserved concurrency (or the account's unreserved concurrency) was all in use. `
    + 'Callers retry (Step Functions with backoff, SQS after the visibility timeout), so work is late, not lost, unless it persists; '
    + 'raise its reserved concurrency or lower what drives it (Map or event-source maxConcurrency, warm-up concurrency).';
}

// Queues and schedules

/** `ApproximateAgeOfOldestMessage` of a source queue over `maxAge`. */
export function oldestMessageAge(queuePath: string, maxAge: Duration): string {
  return `The oldest message in the queue ${queuePath} has waited over ${maxAge.toHumanString()}: its consumer is failing, throttled or too slow for the load. `
    + 'Check the consumer\'s Errors and Throttles on the dashboard, its log group, and that its event source mapping is enabled; messages past the queue\'s retention are lost.';
}

/** Visible messages of a dead-letter queue over `threshold`; `owner` names what it is the dead-letter queue of, if known. */
export function deadLetterMessages(queuePath: string, threshold: number, owner?: string): string {
  return `The dead-letter queue ${queuePath}${owner ? ` of ${owner}` : ''} holds more than ${threshold} messages that could not be processed or delivered; it keeps them 14 days at most. `
    + 'Read a few in the SQS console (Send and receive messages, Poll), fix the cause their consumer\'s logs name, '
    + 'then redrive them to the source queue (SQS console: Start DLQ redrive, or `aws sqs start-message-move-task --source-arn <dead-letter queue arn>`).';
}

/** A fan-out consumer's own dead-letter alarm: messages its worker failed `maxReceiveCount` times. */
export function workerDeadLetters(consumerPath: string, maxReceiveCount: number): string {
  return `Messages for ${consumerPath} failed ${maxReceiveCount} times and are in its dead-letter queue. `
    + 'Read them (their worker logs name the reason), fix the cause, then redrive them to the source queue '
    + '(SQS console: Start DLQ redrive, or `aws sqs start-message-move-task --source-arn <dead-letter queue arn>`).';
}

/** Provisioned concurrency spilling over to on-demand instances. */
export function provisionedSpillover(aliasPath: string): string {
  return `Invocations of the alias ${aliasPath} ran on on-demand instances, which may start cold, because every provisioned instance was busy. `
    + 'Raise provisionedConcurrency or the schedules\' capacity, within the function\'s reserved concurrency.';
}

/** What a MapReduceWorkflow with a result table records of a failure, said in its failed-executions alarm. */
export const RESULT_TABLE_FAILURE_RECORD = 'The workflow also stored each failure (FAILED, error, cause) in its result table.';

/** Visible messages of a schedule's dead-letter queue: runs EventBridge could not deliver. */
export function undeliveredScheduledRuns(schedulePath: string, queuePath: string): string {
  return `Scheduled runs of ${schedulePath} could not be delivered to their target and are in its dead-letter queue ${queuePath}. `
    + 'Each message carries the error (its attributes ERROR_CODE and ERROR_MESSAGE); fix the target or the schedule role\'s permissions, '
    + 'then start the missed runs by hand if they still matter (a state machine: `npx sdp start <state machine> --input <file.json>`, the schedule\'s input in the file) '
    + 'and purge the queue: the alarm stays on while it holds them.';
}

/** Visible messages of a warmer's schedule's dead-letter queue: warm-up runs EventBridge could not deliver. */
export function undeliveredWarmUpRuns(schedulePath: string, queuePath: string): string {
  return `Warm-up runs of ${schedulePath} could not be delivered to the warmer and are in its dead-letter queue ${queuePath}. `
    + 'Each message carries the error (its attributes ERROR_CODE and ERROR_MESSAGE); fix the warmer function or the schedule role\'s permissions, '
    + 'then purge the queue: the alarm stays on while it holds them. Missed warm-ups need no replay; the next run warms the targets again.';
}

// APIs

/** `5XXError` of a REST API stage. */
export function apiServerErrors({ path, threshold, window }: CountFacts): string {
  return `${threshold}+ requests to the API ${path} were answered with a 5XX ${window}: Step Functions failed the call or could not be reached. `
    + 'The answer body { error, message, requestId } names the error; find the requestId in the stage\'s execution log group '
    + '(API-Gateway-Execution-Logs_<rest api id>/<stage>) and follow its X-Ray trace.';
}

/** p99 `Latency` of a REST API stage over `limit`. */
export function apiLatencyP99(apiPath: string, limit: Duration): string {
  return `The 99th percentile latency of ${apiPath} was over ${limit.toHumanString()}. Compare it with IntegrationLatency on the dashboard and open slow requests' X-Ray traces `
    + 'to see whether API Gateway or Step Functions took the time; a synchronous Express workflow answers only when it ends.';
}
