import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { HANDLER_RUNTIME } from './handler-code';
import { checkReservedConcurrencyBudget } from './reserved-concurrency';

/** Settings for a handler function the library builds. */
export interface HandlerFunctionOptions {
  /**
   * The bundle: `libraryHandlerCode(name)` for one of the library's own handlers,
   * `entryCode(entry)` for a user's entry file. Its `index.js` exports `handler`.
   */
  readonly code: lambda.Code;
  /** Function timeout. */
  readonly timeout: Duration;
  /** Memory in MiB. */
  readonly memorySize: number;
  /** How long the function's log group keeps logs. */
  readonly logRetention: logs.RetentionDays;
  /** Extra environment variables. */
  readonly environment?: Record<string, string>;
  /** What invokes the function synchronously, for the acknowledgement of the Lambda-DLQ finding. */
  readonly invokedBy: string;
  /**
   * For a function invoked asynchronously: why its failed invocations need no dead-letter queue,
   * which replaces the synchronous reason of the Lambda-DLQ acknowledgement.
   * @default - the function is invoked synchronously only
   */
  readonly noDeadLetterQueueReason?: string;
  /**
   * Reserved concurrency: the most instances the function may run, and the
   * capacity no other function can take from it. Every library function has one.
   */
  readonly reservedConcurrency: number;
}

/**
 * A Node.js 24 Lambda function on arm64 with X-Ray tracing, JSON logs and its
 * own log group so retention is set without the LogRetention custom-resource Lambda.
 *
 * Its role may write to that log group only, instead of the AWS managed
 * AWSLambdaBasicExecutionRole policy that allows every log group.
 */
export function createHandlerFunction(scope: Construct, id: string, options: HandlerFunctionOptions): lambda.Function {
  const logGroup = new logs.LogGroup(scope, `${id}LogGroup`, {
    retention: options.logRetention,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const role = new iam.Role(scope, `${id}Role`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `Execution role of ${scope.node.path}/${id}`,
  });
  logGroup.grantWrite(role);
  const fn = new lambda.Function(scope, id, {
    role,
    code: options.code,
    handler: 'index.handler',
    runtime: HANDLER_RUNTIME,
    architecture: lambda.Architecture.ARM_64,
    memorySize: options.memorySize,
    timeout: options.timeout,
    reservedConcurrentExecutions: options.reservedConcurrency,
    tracing: lambda.Tracing.ACTIVE,
    loggingFormat: lambda.LoggingFormat.JSON,
    logGroup,
    environment: {
      NODE_OPTIONS: '--enable-source-maps',
      ...options.environment,
    },
  });
  acknowledgeHandlerFindings(fn, role, options.noDeadLetterQueueReason
    ?? `Invoked synchronously by ${options.invokedBy}; a Lambda DLQ only receives failed asynchronous invocations.`);
  checkReservedConcurrencyBudget(scope);
  return fn;
}

function acknowledgeHandlerFindings(fn: lambda.Function, role: iam.Role, noDeadLetterQueueReason: string): void {
  Validations.of(fn).acknowledge({ id: 'Serverless-LambdaDLQ', reason: noDeadLetterQueueReason });
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.',
  });
}
